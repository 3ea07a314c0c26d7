// `npm run preview`: the admin panel on localhost without Shopify. Serves the app's production
// web server (app/server/web-server.ts, the same /webhooks intake and Remix build as `npm start`)
// behind a loopback-only front that adds:
//  - a stand-in for App Bridge at /preview/app-bridge.js (window.shopify, bearer tokens),
//  - session tokens for the preview shop signed with the preview's own secret (/preview/session-token),
//  - a stored offline session for that shop (authenticate.admin does no token exchange),
//  - the Shopify Admin API answered by the simulator (app/preview/shopify-simulator.server.ts).
// Refuses to start when NODE_ENV is production or the host is not a loopback address, and runs
// only as a local preview: its own secret, database, queue prefix and build folder, never a real
// session replaced (app/preview/isolation.ts, docs/decisions/090-preview-isolation.md).
import { spawn } from "node:child_process";
import http from "node:http";
import { existsSync, statSync, createReadStream } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { assertPreviewAllowed, isLoopbackHost, PreviewRefusedError } from "./guard";
import { buildPreviewApp, isolatePreviewProcess, PREVIEW_BUILD_DIR, ROOT } from "./isolation";
import { adminHostParam, isFreshSessionToken, mintSessionToken } from "./session-token";
import { appBridgeStandInScript } from "./app-bridge-stand-in";
import { stopChild } from "../lib/child-process.server";

const BUILD_SERVER = path.join(PREVIEW_BUILD_DIR, "server", "index.js");
const PUBLIC_DIR = path.join(ROOT, "public");

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface PreviewServer {
  url: string;
  shop: string;
  /** The preview's database and queue prefix (its own, never the inherited ones). */
  database: string;
  queuePrefix: string;
  close(): Promise<void>;
}

export interface PreviewOptions {
  host?: string;
  port?: number;
  shop?: string;
  /** Answer the Admin API with the simulator in this process (default true). */
  simulator?: boolean;
  /** Build the app into build-preview/ first (after every check has passed); default: only when there is no build there. */
  build?: boolean;
}

export async function startPreviewServer(options: PreviewOptions = {}): Promise<PreviewServer> {
  const host = options.host ?? "127.0.0.1";
  assertPreviewAllowed({ nodeEnv: process.env.NODE_ENV, host });
  // Its own secret, database and queue prefix, in this process (before env() is parsed).
  const isolated = isolatePreviewProcess();
  const { preparePreviewDatabase, defaultPreviewShop, assertNoRealSession } = await import("./preview-database.server");
  await preparePreviewDatabase(isolated.DATABASE_URL);
  const shop = options.shop ?? (await defaultPreviewShop(isolated.DATABASE_URL));
  await assertNoRealSession(isolated.DATABASE_URL, shop);
  if (options.build ?? !existsSync(BUILD_SERVER)) buildPreviewApp();
  if (!existsSync(BUILD_SERVER)) {
    throw new PreviewRefusedError(`No preview build at ${path.relative(ROOT, BUILD_SERVER)}: run \`npm run preview\` without --no-build.`);
  }

  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const address = server.address() as { port: number };
  const origin = `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${address.port}`;

  // Before the app is imported: env() is parsed once, and the Shopify adapter keeps `fetch`.
  process.env.SHOPIFY_APP_URL = origin;
  process.env.LOTKEEPER_APP_BRIDGE_URL = "/preview/app-bridge.js";
  process.env.APP_BRIDGE_URL = `${origin}/preview/app-bridge.js`; // the library's bounce page
  if (options.simulator !== false) {
    const { startShopifySimulator } = await import("./shopify-simulator.server");
    startShopifySimulator();
  }
  const { env } = await import("../env.server");
  const { ensurePreviewSession } = await import("./preview-session.server");
  const config = env();
  await ensurePreviewSession(shop);

  // The production web server (npm start): /webhooks fast path, static files, the Remix build.
  const { createWebServer } = await import("../server/web-server");
  const build = await import(pathToFileURL(BUILD_SERVER).href);
  const app = await createWebServer(build, { clientDir: path.join(PREVIEW_BUILD_DIR, "client") });
  const appListener = app.listeners("request")[0] as (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const hostParam = adminHostParam(shop);

  function entryUrl(pathname: string, search: URLSearchParams): string {
    const params = new URLSearchParams(search);
    params.set("embedded", "1");
    params.set("shop", shop);
    params.set("host", hostParam);
    params.set("id_token", mintSessionToken(shop, config.SHOPIFY_API_KEY, config.SHOPIFY_API_SECRET).token);
    return `${pathname}?${params.toString()}`;
  }

  server.on("request", (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("preview: request failed", error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("Internal error");
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // DNS rebinding guard: only this machine's names may address the preview.
    const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "");
    if (!isLoopbackHost(hostHeader)) {
      res.writeHead(421, { "Content-Type": "text/plain" }).end("The preview answers only on a loopback address.");
      return;
    }
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";

    if (url.pathname === "/preview/app-bridge.js") {
      res.writeHead(200, { "Content-Type": CONTENT_TYPES[".js"]!, "Cache-Control": "no-store" });
      res.end(appBridgeStandInScript({ apiKey: config.SHOPIFY_API_KEY, shop, host: hostParam, tokenPath: "/preview/session-token" }));
      return;
    }
    if (url.pathname === "/preview/session-token") {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(mintSessionToken(shop, config.SHOPIFY_API_KEY, config.SHOPIFY_API_SECRET)));
      return;
    }
    if (method === "GET" && (url.pathname === "/" || url.pathname === "/preview")) {
      res.writeHead(302, { Location: entryUrl("/app", new URLSearchParams()) }).end();
      return;
    }
    // A document load of an embedded page (first visit, reload, opened link) needs what the admin
    // adds to the iframe URL: embedded=1, shop, host and a fresh id_token.
    const isDocument = method === "GET" && !req.headers.authorization && !url.searchParams.has("_data");
    if (isDocument && (url.pathname === "/app" || url.pathname.startsWith("/app/"))) {
      const token = url.searchParams.get("id_token");
      if (!token || !isFreshSessionToken(token, config.SHOPIFY_API_SECRET) || url.searchParams.get("shop") !== shop) {
        res.writeHead(302, { Location: entryUrl(url.pathname, url.searchParams) }).end();
        return;
      }
    }
    if ((method === "GET" || method === "HEAD") && (await servePublic(url.pathname, res))) return;
    // The library preloads App Bridge from Shopify's CDN (a Link header): unreachable offline, and
    // replaced here by the stand-in, so that header is dropped.
    const setHeader = res.setHeader.bind(res);
    res.setHeader = ((name: string, value: number | string | readonly string[]) =>
      name.toLowerCase() === "link" && String(value).includes("cdn.shopify.com") ? res : setHeader(name, value)) as typeof res.setHeader;
    appListener.call(app, req, res);
  }

  /** public/ (the favicon); the build's assets are served by the web server itself. */
  async function servePublic(pathname: string, res: http.ServerResponse): Promise<boolean> {
    const file = path.join(PUBLIC_DIR, decodeURIComponent(pathname));
    if (!file.startsWith(PUBLIC_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) return false;
    res.writeHead(200, { "Content-Type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache" });
    createReadStream(file).pipe(res);
    return true;
  }

  return {
    url: origin,
    shop,
    database: new URL(isolated.DATABASE_URL).pathname.slice(1),
    queuePrefix: isolated.QUEUE_PREFIX,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      const [{ closeQueues }, { closeDb }] = await Promise.all([import("../lib/queues.server"), import("../db.server")]);
      await Promise.allSettled([closeQueues(), closeDb()]);
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string" },
      shop: { type: "string" },
      "no-worker": { type: "boolean", default: false },
      "no-build": { type: "boolean", default: false },
    },
  });
  const host = values.host ?? process.env.PREVIEW_HOST ?? "127.0.0.1";
  try {
    assertPreviewAllowed({ nodeEnv: process.env.NODE_ENV, host });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  try {
    // --port, else PORT (read here: env() must be parsed after startPreviewServer sets SHOPIFY_APP_URL).
    const rawPort = values.port ?? process.env.PORT ?? "3000";
    const port = Number(rawPort);
    // 0 asks the system for a free port (the browser tests do).
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      throw new Error(`${values.port === undefined ? "PORT" : "--port"} must be a port number from 0 to 65535 (got "${rawPort}")`);
    }
    // It builds into build-preview/ unless --no-build (then it reuses the build there).
    const preview = await startPreviewServer({ host, port, shop: values.shop, build: !values["no-build"] });
    // A worker beside it (with the simulator) so webhooks and Shopify changes are processed; it
    // inherits this process's preview environment (database, queue prefix, secret).
    const worker = values["no-worker"]
      ? null
      : spawn(
          path.join(ROOT, "node_modules", ".bin", "tsx"),
          ["--import", path.join(ROOT, "app", "preview", "simulator-preload.ts"), path.join(ROOT, "workers", "main.ts")],
          {
            cwd: ROOT,
            env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
            stdio: ["ignore", "inherit", "inherit"],
          },
        );
    console.log(
      `Lotkeeper preview for ${preview.shop}: ${preview.url}/preview (database ${preview.database}, queues ${preview.queuePrefix}${worker ? `, worker pid ${worker.pid}` : ""})`,
    );
    const stop = () => {
      // The worker finishes its in-flight jobs before the preview exits.
      Promise.all([worker ? stopChild(worker) : undefined, preview.close()]).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (error) {
    console.error(error instanceof PreviewRefusedError ? error.message : `preview: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void main();
}
