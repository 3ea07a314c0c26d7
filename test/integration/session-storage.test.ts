// Shopify's session storage when Postgres is down as the process starts
// (app/lib/session-storage.server.ts): no unhandled rejection, calls fail while it is down, and
// sessions work once it is back, without a restart. Postgres is reached through a TCP relay
// this test opens and closes, so the shared Postgres is never touched.
import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { Session } from "@shopify/shopify-api";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { ResilientSessionStorage } from "../../app/lib/session-storage.server";
import { uniqueShopDomain } from "../helpers/shops";

const target = new URL(process.env.DATABASE_URL!);
const root = path.resolve(import.meta.dirname, "..", "..");

/** A port that refuses connections until relay() forwards it to Postgres. */
async function closedPort() {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  let relay: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    port,
    async open() {
      relay = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => relay!.listen(port, "127.0.0.1", resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (relay) await new Promise((r) => relay!.close(r));
    },
  };
}

const clients: PrismaClient[] = [];
const relays: Awaited<ReturnType<typeof closedPort>>[] = [];
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.$disconnect()));
  await Promise.all(relays.map((r) => r.close()));
});

async function prismaBehindRelay() {
  const relay = await closedPort();
  relays.push(relay);
  const url = new URL(target);
  url.host = `127.0.0.1:${relay.port}`;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString() }) });
  clients.push(prisma);
  return { relay, prisma };
}

/** Rejections nobody handled while `fn` ran (and a moment after, for the library's first check). */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return seen;
}

describe("session storage with Postgres down at start", () => {
  it("the library alone: its start-up check rejects with nobody listening, and the process ends (why the wrapper exists)", async () => {
    const relay = await closedPort();
    relays.push(relay);
    const url = new URL(target);
    url.host = `127.0.0.1:${relay.port}`;
    const script = `
      import { PrismaClient } from "@prisma/client";
      import { PrismaPg } from "@prisma/adapter-pg";
      import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.RELAY_URL }) });
      new PrismaSessionStorage(prisma, { connectionRetries: 1, connectionRetryIntervalMs: 50 });
      setTimeout(() => { console.log("still running"); process.exit(0); }, 5000);`;
    const child = spawnSync(process.execPath, ["--input-type=module", "--eval", script], {
      cwd: root,
      env: { ...process.env, RELAY_URL: url.toString() },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.stdout).not.toContain("still running");
    expect(child.stderr).toMatch(/MissingSessionTableError/);
    expect(child.status).toBe(1);
  });

  it("the app's storage: no unhandled rejection, calls fail while Postgres is away, and work once it is back", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const { relay, prisma } = await prismaBehindRelay();
    let storage: ResilientSessionStorage | undefined;
    const unhandled = await unhandledDuring(async () => {
      storage = new ResilientSessionStorage(prisma, { retryIntervalMs: 50 });
      await new Promise((r) => setTimeout(r, 500));
      await expect(storage.loadSession("offline_x.myshopify.com")).rejects.toThrow();
      expect(await storage.isReady()).toBe(false);
    });
    expect(unhandled).toEqual([]);

    await relay.open();
    const shop = uniqueShopDomain("session");
    const session = new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, scope: "read_orders", accessToken: "shpat_x" });
    expect(await storage!.storeSession(session)).toBe(true);
    expect((await storage!.loadSession(session.id))?.accessToken).toBe("shpat_x");
    expect((await storage!.findSessionsByShop(shop)).map((s) => s.id)).toEqual([session.id]);
    expect(await storage!.deleteSession(session.id)).toBe(true);
    expect(await storage!.loadSession(session.id)).toBeUndefined();
  });
});
