// `npm start` (app/server/web-server.ts on the production build) as Shopify and a load balancer
// see it: a signed delivery is recorded, bad ones are refused, the Remix routes answer, SIGTERM
// finishes in-flight requests, and with Postgres down a delivery gets 503 so Shopify retries.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, webhookHeaders } from "../helpers/webhooks";
import { uniqueQueuePrefix, uniqueShopDomain } from "../helpers/shops";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const running: ChildProcess[] = [];
const proxies: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((cut) => cut()));
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once the output so far matches `pattern`; rejects when the child ends first or after `ms`. */
function outputMatches(child: ChildProcess, output: () => string, pattern: RegExp, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${ms / 1000} s:\n${output()}`)), ms);
    const check = () => pattern.test(output()) && finish();
    const ended = () => finish(new Error(`the server ended before ${pattern}:\n${output()}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout!.off("data", check);
      child.stderr!.off("data", check);
      child.off("close", ended);
      if (error) reject(error);
      else resolve();
    }
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("close", ended);
    check();
  });
}

const METRICS_TOKEN = "e2e-metrics-token-0123456789";

async function startServer(how: "npm start" | "direct", env: Record<string, string> = {}) {
  // The server takes a fixed PORT, so the port is probed first; another process (other test files,
  // another run on this machine) can take it before the server binds. The server then exits with
  // EADDRINUSE: try another port. Its own "listening" line (not /healthz, which anything on that
  // port could answer) says it is up.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const childEnv = {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      QUEUE_PREFIX: uniqueQueuePrefix(),
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "info",
      METRICS_TOKEN,
      ...env,
    };
    const child =
      how === "npm start"
        ? spawn("npm", ["start", "--silent"], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true })
        : spawn(process.execPath, ["--import", "tsx", "app/server/web-server.ts"], {
            cwd: ROOT,
            env: { ...childEnv, NODE_ENV: "production" },
            stdio: ["ignore", "pipe", "pipe"],
          });
    running.push(child);
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    try {
      await outputMatches(child, () => output, /"msg":"web server listening"/);
    } catch (error) {
      if (attempt < 3 && /EADDRINUSE/.test(output)) continue;
      throw error;
    }
    return { port, child, output: () => output, url: `http://127.0.0.1:${port}` };
  }
}

/**
 * A TCP relay to the test database: the server starts against it (the start-up check needs a
 * reachable Postgres), then `cut()` closes it and every relayed connection, so Postgres
 * becomes unreachable for that server alone without stopping the shared Postgres.
 */
async function postgresRelay(): Promise<{ url: string; port: number; cut: () => Promise<void> }> {
  const target = new URL(process.env.DATABASE_URL!);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", drop);
      socket.on("close", () => {
        sockets.delete(socket);
        drop();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const port = (relay.address() as net.AddressInfo).port;
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  let cutting: Promise<void> | undefined;
  const cut = () =>
    (cutting ??= new Promise<void>((resolve) => {
      relay.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
  proxies.push(cut);
  return { url: url.toString(), port, cut };
}

function signed(shop: string, body: unknown = fixture("orders-create"), secret?: string) {
  const raw = JSON.stringify(body);
  const webhookId = randomUUID();
  return { webhookId, raw, headers: webhookHeaders({ topic: "orders/create", shop, body, webhookId, secret }, raw) };
}

async function inboxRows(webhookId: string): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query("select 1 from webhook_events where webhook_id = $1", [webhookId])).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe("npm start: the production web server", () => {
  it("records a signed webhook, refuses bad ones, and serves the Remix routes (/readyz, /metrics)", async () => {
    const server = await startServer("npm start");
    const shop = uniqueShopDomain("prod");
    const good = signed(shop);
    const ok = await fetch(`${server.url}/webhooks`, { method: "POST", headers: good.headers, body: good.raw });
    expect(ok.status).toBe(200);
    expect(await inboxRows(good.webhookId)).toBe(1);
    const again = await fetch(`${server.url}/webhooks`, { method: "POST", headers: good.headers, body: good.raw });
    expect(again.status).toBe(200);
    expect(await inboxRows(good.webhookId)).toBe(1);

    const bad = signed(shop, fixture("orders-create"), "wrong-secret");
    expect((await fetch(`${server.url}/webhooks`, { method: "POST", headers: bad.headers, body: bad.raw })).status).toBe(401);
    expect(await inboxRows(bad.webhookId)).toBe(0);
    expect((await fetch(`${server.url}/webhooks`)).status).toBe(405);
    const big = signed(shop, { ...fixture<Record<string, unknown>>("orders-create"), note: "x".repeat(2 * 1024 * 1024) });
    // Refused from its Content-Length and the connection closed; a client still sending may see the reset instead.
    const refused = await fetch(`${server.url}/webhooks`, { method: "POST", headers: big.headers, body: big.raw }).catch((error: unknown) => error);
    if (refused instanceof Response) expect(refused.status).toBe(413);
    else expect(String((refused as Error).cause ?? refused)).toMatch(/other side closed|ECONNRESET|EPIPE|terminated|socket/i);
    expect(await inboxRows(big.webhookId)).toBe(0);

    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ok" });
    // Production: /metrics needs the token (METRICS_TOKEN set by startServer).
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    // The fast path and the Remix build share one metrics registry per process.
    expect(metrics).toMatch(/^lotkeeper_webhook_deliveries_total\{outcome="accepted",topic="orders\/create"\} 1$/m);
    expect(metrics).toMatch(/^lotkeeper_webhook_deliveries_total\{outcome="duplicate",topic="orders\/create"\} 1$/m);
    expect(metrics).toMatch(/^lotkeeper_webhook_deliveries_total\{outcome="rejected_401",topic="orders\/create"\} 1$/m);
  });

  it("on SIGTERM finishes the delivery in flight, then exits 0", async () => {
    const server = await startServer("direct");
    const delivery = signed(uniqueShopDomain("sigterm"));
    // Half the body now, SIGTERM, the rest once the server says it is stopping: the request is in
    // flight when the signal arrives. Each step waits for the server, not for a fixed time.
    const half = Math.floor(delivery.raw.length / 2);
    const req = http.request({
      host: "127.0.0.1",
      port: server.port,
      path: "/webhooks",
      method: "POST",
      headers: { ...delivery.headers, "Content-Length": Buffer.byteLength(delivery.raw) },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    await new Promise<void>((resolve, reject) => req.write(delivery.raw.slice(0, half), (error) => (error ? reject(error) : resolve())));
    // Then a request on a second connection, answered: the server has accepted the first
    // connection (accepted in order) and read the headers that were already there, so the
    // request counts as in flight, not as an idle connection, when the signal comes.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
    server.child.kill("SIGTERM");
    await outputMatches(server.child, server.output, /"msg":"web server stopping/);
    req.end(delivery.raw.slice(half));
    expect(await answered).toBe(200);
    expect(await exited).toBe(0);
    expect(await inboxRows(delivery.webhookId)).toBe(1);
    expect(server.output()).toContain('"msg":"web server stopped"');
  });

  it("answers 503 to a delivery when Postgres becomes unreachable after start (Shopify retries); /readyz answers 503 and the log says why", async () => {
    const relay = await postgresRelay();
    const server = await startServer("direct", { DATABASE_URL: relay.url });
    await relay.cut();
    const delivery = signed(uniqueShopDomain("pgdown"));
    const response = await fetch(`${server.url}/webhooks`, { method: "POST", headers: delivery.headers, body: delivery.raw });
    expect(response.status).toBe(503);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    // An anonymous caller learns nothing about addresses or how to start anything; the operator's log does.
    expect(await ready.json()).toEqual({ status: "unavailable" });
    await outputMatches(server.child, server.output, /^(?=.*not ready)(?=.*"postgres").*$/m);
  });
});
