// `npm start`: the production web server (after `npm run build`). One node:http server:
//  - POST /webhooks goes straight to receiveWebhook() (verify, record, queue, answer) without
//    Remix: it is the hot path Shopify drives (docs/decisions/010-webhook-intake-fast-path.md);
//  - /build/client files are served as static assets by serve-static (ETag, Last-Modified, 304 on
//    a conditional request); files under /assets carry a content hash in their name (Vite) and are
//    cached for a year as immutable, the others (favicon, ...) are revalidated (`no-cache` + ETag);
//  - everything else is the Remix build (admin pages, /healthz, /readyz, /metrics, /auth, ...);
//  - answers other than /webhooks are compressed (compression: brotli or gzip as the client
//    accepts, text types over 1 kB), as @remix-run/serve does. /webhooks stays bare node:http:
//    Shopify's answer is an empty 200, there is nothing to compress, and the path is measured.
// Limits (app/env.server.ts): request and header timeouts, keep-alive, a connection cap, and a
// body limit (413) on every route but /webhooks.
// Start-up: configuration, Postgres (and its database) and Redis are checked first; a problem is
// one line on stderr and exit 1 (app/lib/fail-fast.server.ts).
// SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (up to
// SHUTDOWN_GRACE_MS, default 10 s), close Redis and Postgres, exit 0.
import http from "node:http";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import serveStatic from "serve-static";
import { env } from "../env.server";
import { exitWithOneLine } from "../lib/fail-fast.server";
import { log, requestIdFrom, withLogContext } from "../lib/logger.server";
import { checkServices } from "../lib/services.server";
import { metricsClosedWarning } from "../lib/metrics-snapshot.server";
import { receiveWebhook } from "../domain/webhooks/inbox.server";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const CLIENT_DIR = path.join(ROOT, "build", "client");

async function handleWebhook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const max = env().WEBHOOK_MAX_BYTES;
  const answer = (status: number, close = false) => {
    res.writeHead(status, close ? { Connection: "close", "Content-Length": 0 } : { "Content-Length": 0 });
    res.end();
  };
  if (req.method !== "POST") {
    res.setHeader("Allow", "POST");
    return answer(405);
  }
  const declared = Number(req.headers["content-length"] ?? "");
  if (Number.isFinite(declared) && declared > max) return answer(413, true);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return answer(413, true);
    chunks.push(chunk as Buffer);
  }
  const result = await receiveWebhook({
    method: "POST",
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
  });
  answer(result.status);
}

/** Cache-Control of a static file: hashed build output for a year, anything else revalidated. */
export function staticCacheControl(clientDir: string, file: string): string {
  const relative = path.relative(clientDir, file).split(path.sep);
  return relative[0] === "assets" ? "public, max-age=31536000, immutable" : "public, no-cache";
}

type Next = (error?: unknown) => void;
type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: Next) => void;

/** The build's client files; calls next() for anything that is not one (Remix answers it). */
function staticFiles(clientDir: string): Middleware {
  return serveStatic(clientDir, {
    index: false, // a directory is never a file to serve
    redirect: false, // nor redirected to its slash form: Remix answers it
    cacheControl: false, // set per file below
    setHeaders: (res, file) => res.setHeader("Cache-Control", staticCacheControl(clientDir, file)),
  }) as Middleware;
}

/** Limits of the web server (settings in app/env.server.ts; tests pass small ones). */
export interface WebServerLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** Largest body of any request but /webhooks (which has WEBHOOK_MAX_BYTES). */
  bodyMaxBytes: number;
}

function limitsFromEnv(): WebServerLimits {
  const e = env();
  return {
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: e.HTTP_MAX_CONNECTIONS,
    bodyMaxBytes: e.ADMIN_BODY_MAX_BYTES,
  };
}

const megabytes = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} kB` : `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`);

function answerTooLarge(req: http.IncomingMessage, res: http.ServerResponse, max: number): void {
  if (!res.headersSent) {
    res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
    res.end(`The request is larger than ${megabytes(max)}, the most this server accepts (ADMIN_BODY_MAX_BYTES). For a CSV import, split the file.\n`);
  }
  // The rest of the body is not read: the connection closes once the answer is out.
  res.once("finish", () => req.destroy());
}

/**
 * The body of an admin (non-webhook) request, counted as it arrives: a declared Content-Length
 * over the limit is answered 413 before any byte is read; a body that grows past it (chunked, or
 * lying) is cut there and answered 413. Null when the answer is given already.
 */
function limitedBody(req: http.IncomingMessage, res: http.ServerResponse, max: number): Readable | null {
  const declared = Number(req.headers["content-length"] ?? "");
  if (Number.isFinite(declared) && declared > max) {
    answerTooLarge(req, res, max);
    return null;
  }
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > max) {
        answerTooLarge(req, res, max);
        return done(new Error(`request body over ${max} bytes`));
      }
      done(null, chunk);
    },
  });
  req.on("error", (error) => counter.destroy(error));
  return req.pipe(counter);
}

function toRequest(req: http.IncomingMessage, res: http.ServerResponse, body: Readable | null): Request {
  const host = req.headers["x-forwarded-host"] ?? req.headers.host ?? `127.0.0.1:${env().PORT}`;
  const proto = req.headers["x-forwarded-proto"] ?? "http";
  const url = new URL(req.url ?? "/", `${proto}://${host}`);
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.set(key, value);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (body) {
    init.body = createReadableStreamFromReadable(body);
    init.duplex = "half";
  }
  return new Request(url, init);
}

async function sendResponse(res: http.ServerResponse, response: Response): Promise<void> {
  if (res.headersSent) return; // answered already (413 while the body arrived)
  res.statusCode = response.status;
  res.statusMessage = response.statusText;
  const cookies = response.headers.getSetCookie();
  for (const [key, value] of response.headers) if (key !== "set-cookie") res.setHeader(key, value);
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/**
 * `clientDir`: the build's client files (default build/client; the preview serves build-preview/client).
 * The other options override the limits read from the environment (tests).
 */
export async function createWebServer(build: ServerBuild, options: Partial<WebServerLimits> & { clientDir?: string } = {}): Promise<http.Server> {
  const { clientDir = CLIENT_DIR, ...overrides } = options;
  const remix = createRequestHandler(build, "production");
  const limits = { ...limitsFromEnv(), ...overrides };
  const compress = compression() as Middleware;
  const statics = staticFiles(clientDir);
  // A slow client (headers or body trickled in) holds a connection at most requestTimeoutMs; Node
  // checks every connectionsCheckingInterval, so that is kept short. Beyond maxConnections open
  // connections, new ones are dropped at once instead of piling up.
  const server = http.createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (req, res) => {
      const url = req.url ?? "/";
      const pathname = url.split("?", 1)[0]!;
      const answerRemix = async () => {
        const hasBody = req.method !== "GET" && req.method !== "HEAD";
        const body = hasBody ? limitedBody(req, res, limits.bodyMaxBytes) : null;
        if (hasBody && !body) return;
        await sendResponse(res, await remix(toRequest(req, res, body)));
      };
      const answerOthers = () =>
        new Promise<void>((resolve, reject) => {
          let toRemix = false;
          // A static file is answered by serve-static: the request is done once the answer is out.
          res.once("close", () => toRemix || resolve());
          const passOn = (then: () => void) => (error?: unknown) => (error ? reject(error) : then());
          // compression wraps res, then serve-static answers a file or passes on to Remix.
          compress(
            req,
            res,
            passOn(() =>
              statics(
                req,
                res,
                passOn(() => {
                  toRemix = true;
                  answerRemix().then(resolve, reject);
                }),
              ),
            ),
          );
        });
      const handle = async () => {
        if (pathname === "/webhooks" || pathname === "/webhooks/") return handleWebhook(req, res);
        return answerOthers();
      };
      // Every line logged while the request is handled carries its id (and the shop, once known).
      const requestId = requestIdFrom(req.headers["x-request-id"]);
      res.setHeader("X-Request-Id", requestId);
      withLogContext({ requestId }, handle).catch((error: unknown) => {
        if (res.headersSent && res.statusCode === 413) return; // the body was cut at the limit
        log.error("request failed", { requestId, path: pathname, error });
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

const isEntry = process.argv[1] && /app[\\/]server[\\/]web-server\.ts$/.test(process.argv[1]);
if (isEntry) {
  let config: ReturnType<typeof env>;
  try {
    // Like the worker: a bad setting, or Postgres/Redis not answering (or the database missing),
    // stops the server here with one line, before it takes traffic. Once running, an outage
    // answers 503 (/webhooks, /readyz) instead.
    config = env();
    await checkServices();
  } catch (error) {
    exitWithOneLine(error, 1);
  }
  const buildFile = path.join(ROOT, "build", "server", "index.js");
  const build = (await import(pathToFileURL(buildFile).href).catch(() =>
    exitWithOneLine(`no production build at ${path.relative(ROOT, buildFile)}: run \`npm run build\` first`, 1),
  )) as ServerBuild;
  const server = await createWebServer(build);
  server.listen(config.PORT, config.HOST, () => log.info("web server listening", { host: config.HOST, port: config.PORT }));
  server.on("error", (error) => exitWithOneLine(error, 1));
  const metricsClosed = metricsClosedWarning();
  if (metricsClosed) log.warn(metricsClosed);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info("web server stopping: finishing in-flight requests", { signal });
    const grace = config.SHUTDOWN_GRACE_MS;
    const force = setTimeout(() => {
      log.warn("grace period over: closing remaining connections");
      server.closeAllConnections();
    }, grace);
    force.unref();
    server.close(async () => {
      const [{ closeQueues }, { closeDb }] = await Promise.all([import("../lib/queues.server"), import("../db.server")]);
      await Promise.allSettled([closeQueues(), closeDb()]);
      log.info("web server stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
