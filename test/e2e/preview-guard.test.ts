// `npm run preview` must refuse to start where real merchants could reach it: the real entry point,
// started as a process, exits with a message and binds nothing.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { runPreviewProcess } from "./helpers/preview";

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = runPreviewProcess(args, env);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

/**
 * A free port below Linux's ephemeral range (32768-60999): the test looks at it again after the
 * run, and a port the system hands out (listen on port 0, outgoing connections) could meanwhile
 * belong to another process of this busy machine.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 10_000);
    const server = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(candidate, "127.0.0.1", () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return candidate;
  }
}

async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("preview refuses to start", () => {
  it("when NODE_ENV is production", async () => {
    const port = await freePort();
    const result = await run(["--port", String(port)], { NODE_ENV: "production" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Refusing to start the preview: NODE_ENV is production/);
    expect(await isListening(port)).toBe(false);
  });

  it("on a host that is not loopback", async () => {
    const port = await freePort();
    const result = await run(["--port", String(port), "--host", "0.0.0.0"], {});
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/only listens on a loopback address/);
    expect(await isListening(port)).toBe(false);
  });
});
