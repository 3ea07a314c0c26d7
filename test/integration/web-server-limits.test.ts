// The production web server (app/server/web-server.ts, createWebServer) under slow, greedy and
// oversized clients: request and header timeouts, the connection cap, the body limit on every
// route but /webhooks; and the worker's metrics server bound to this machine only.
// The server runs for real on a loopback port with a small Remix build made here (one route whose
// action reads its form, as the admin's import does).
import http from "node:http";
import net from "node:net";
import { networkInterfaces } from "node:os";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { http as mswHttp, passthrough } from "msw";
import { server as mockServer } from "../helpers/shopify-mock";
import { createWebServer, type WebServerLimits } from "../../app/server/web-server";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { closeQueues } from "../../app/lib/queues.server";

const prefix = useOwnQueuePrefix();
afterAll(() => closeQueues());
// These requests go to servers this file starts, not to Shopify: msw lets them through.
beforeEach(() => mockServer.use(mswHttp.all(/^http:\/\/(127\.0\.0\.1|\d+\.\d+\.\d+\.\d+):\d+\//, () => passthrough())));

let formsRead = 0;
const build = {
  mode: "production",
  basename: "/",
  publicPath: "/build/",
  assetsBuildDirectory: "build/client",
  future: {},
  isSpaMode: false,
  entry: { module: { default: () => new Response("document") } },
  assets: { entry: { module: "", imports: [] }, routes: {}, url: "", version: "1" },
  routes: {
    root: { id: "root", path: "", module: { default: () => null } },
    "routes/upload": {
      id: "routes/upload",
      parentId: "root",
      path: "upload",
      module: {
        loader: () => Response.json({ ok: true }),
        action: async ({ request }: { request: Request }) => {
          const form = await request.formData();
          formsRead++;
          return Response.json({ length: String(form.get("csv") ?? "").length });
        },
      },
    },
  },
} as unknown as ServerBuild;

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function start(limits: Partial<WebServerLimits>): Promise<string> {
  const server = await createWebServer(build, limits);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A raw connection: what it received, and whether the server closed it. */
function connect(address: string) {
  const [host, port] = address.split(":");
  const socket = net.connect(Number(port), host);
  sockets.push(socket);
  let received = "";
  let closed = false;
  socket.on("data", (d) => (received += d.toString()));
  socket.on("error", () => undefined);
  const whenClosed = new Promise<void>((resolve) => socket.on("close", () => ((closed = true), resolve())));
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, connected, whenClosed, received: () => received, closed: () => closed };
}

const form = (csv: string) => {
  const body = new FormData();
  body.set("csv", csv);
  return body;
};

describe("web server limits", () => {
  it("answers 413 with a clear message to a form larger than the body limit, declared or streamed, without handing it to the route", async () => {
    const address = await start({ bodyMaxBytes: 64 * 1024 });
    formsRead = 0;
    const small = await fetch(`http://${address}/upload`, { method: "POST", body: form("x".repeat(1000)) });
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ length: 1000 });
    expect(formsRead).toBe(1);

    // Declared: refused from its Content-Length, before the body is read.
    const declared = await fetch(`http://${address}/upload`, { method: "POST", body: form("x".repeat(200 * 1024)) });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toMatch(/larger than 64 kB.*ADMIN_BODY_MAX_BYTES.*split the file/);

    // Streamed (chunked, no Content-Length): cut where it passes the limit.
    let sent = 0;
    const chunk = new Uint8Array(16 * 1024).fill(120);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        if (sent > 50 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await fetch(`http://${address}/upload`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: endless,
      duplex: "half",
    } as RequestInit).catch((error: unknown) => error);
    // The server answers 413 and closes; a client still sending may see the reset instead.
    if (streamed instanceof Response) {
      expect(streamed.status).toBe(413);
      expect(await streamed.text()).toMatch(/ADMIN_BODY_MAX_BYTES/);
    } else expect(String((streamed as Error).cause ?? streamed)).toMatch(/other side closed|ECONNRESET|EPIPE|terminated|socket/i);
    expect(sent).toBeLessThan(50 * 1024 * 1024);
    expect(formsRead).toBe(1);

    // GETs and the server itself are unaffected.
    expect((await fetch(`http://${address}/upload`)).status).toBe(200);
  });

  it("closes a request whose body trickles in (408) and one whose headers never finish, instead of holding them", async () => {
    const address = await start({ requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
    const trickle = connect(address);
    await trickle.connected;
    trickle.socket.write(`POST /upload HTTP/1.1\r\nHost: ${address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`);
    let bytes = 0;
    const timer = setInterval(() => {
      if (!trickle.closed() && bytes < 1000) {
        trickle.socket.write("x");
        bytes++;
      }
    }, 100);
    await trickle.whenClosed;
    clearInterval(timer);
    expect(bytes).toBeLessThan(1000); // closed long before the body could have arrived
    expect(trickle.received()).toMatch(/^HTTP\/1\.1 408/);

    const headers = connect(address);
    await headers.connected;
    headers.socket.write(`GET /upload HTTP/1.1\r\nHost: ${address}\r\n`);
    let lines = 0;
    const more = setInterval(() => {
      if (!headers.closed() && lines < 1000) headers.socket.write(`X-Slow-${lines++}: 1\r\n`);
    }, 100);
    await headers.whenClosed;
    clearInterval(more);
    expect(lines).toBeLessThan(1000);
    expect(headers.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("accepts at most maxConnections open connections; more are dropped until one closes", async () => {
    const address = await start({ maxConnections: 2 });
    const request = `GET /upload HTTP/1.1\r\nHost: ${address}\r\n\r\n`;
    const held = [connect(address), connect(address)];
    for (const c of held) {
      await c.connected;
      c.socket.write(request);
    }
    await vi.waitFor(() => expect(held.every((c) => /^HTTP\/1\.1 200/.test(c.received()))).toBe(true));
    const third = connect(address);
    await third.connected.catch(() => undefined);
    third.socket.write(request);
    await third.whenClosed;
    expect(third.received()).toBe("");
    expect(held.some((c) => c.closed())).toBe(false);

    held[0]!.socket.destroy();
    await held[0]!.whenClosed;
    await vi.waitFor(async () => expect((await fetch(`http://${address}/upload`, { headers: { Connection: "close" } })).status).toBe(200));
  });
});

describe("worker metrics server", () => {
  let worker: WorkerProcess | undefined;
  afterEach(() => {
    if (worker && worker.exitCode === null) worker.kill("SIGKILL");
  });

  it("listens on loopback only unless WORKER_METRICS_HOST says otherwise", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    worker = startWorkerProcess({
      QUEUE_PREFIX: prefix,
      WORKER_QUEUES: "webhooks",
      WORKER_CONCURRENCY: "1",
      WORKER_METRICS_PORT: String(port),
      LOG_LEVEL: "info",
      NODE_ENV: "test",
    });
    await vi.waitFor(() => expect(worker!.output()).toContain("worker started"), { timeout: 20_000, interval: 100 });
    // The metrics server binds just after the "worker started" line: wait until it answers.
    const local = await vi.waitFor(() => fetch(`http://127.0.0.1:${port}/metrics`), { timeout: 10_000, interval: 100 });
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^lotkeeper_dependency_up/m);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    expect(external, "this test needs a non-loopback IPv4 address").toBeDefined();
    const refused = await fetch(`http://${external!.address}:${port}/metrics`).catch((error: unknown) => error);
    expect(String((refused as Error).cause ?? refused)).toMatch(/ECONNREFUSED/);
  });
});
