// A Postgres cluster and a Redis server of the test's own, on free ports in a temporary folder,
// for tests that stop, restart or flush them. The shared Postgres (5432) and Redis (6379) are
// never touched. Postgres binaries come from /usr/lib/postgresql/<version>/bin (Debian's layout);
// initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { applyMigrations } from "../../app/lib/migrations.server";

const run = promisify(execFile);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(name: string): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = path.join(base, version, "bin", name);
    if (existsSync(bin)) return bin;
  }
  throw new Error(`${name} not found under ${base}/*/bin`);
}

const asRoot = process.getuid?.() === 0;

/** Runs a Postgres binary, as the postgres user when this process is root. */
async function pgTool(name: string, args: string[]): Promise<string> {
  const bin = postgresBin(name);
  const { stdout } = asRoot ? await run("runuser", ["-u", "postgres", "--", bin, ...args]) : await run(bin, args);
  return stdout;
}

export interface PrivatePostgres {
  port: number;
  /** A database of this cluster, created and migrated the way production is. */
  url: string;
  /** pg_ctl stop: "fast" ends every session (what an operator's restart does), "immediate" drops them like a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and deletes its folder. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "lk-private-pg-"));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  await pgTool("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  // The cluster's durability stays at its defaults (fsync, synchronous_commit): a test that
  // stops it mid-transaction must see what production would see after the restart.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`;
  const logFile = path.join(dir, "postgres.log");
  const start = async () => void (await pgTool("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]));
  const stop = async (mode: "fast" | "immediate" = "fast") => void (await pgTool("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]));
  await start();
  const name = "lotkeeper_private";
  const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = `postgresql://postgres@127.0.0.1:${port}/${name}`;
  await applyMigrations(url);
  return {
    port,
    url,
    stop,
    start,
    async destroy() {
      await stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server (its data goes: no persistence, as on the machines). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), "lk-private-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const { stdout } = await run("redis-cli", ["-p", String(port), "ping"]);
        if (stdout.trim() === "PONG") return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`private redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
