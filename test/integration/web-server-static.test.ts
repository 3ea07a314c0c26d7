// The production web server's static files and compression (app/server/web-server.ts, via
// serve-static and compression): a hashed build asset comes back compressed with an ETag and a
// year of immutable caching; other files are revalidated, and a conditional request gets 304;
// Remix's answers are compressed too; nothing outside the client directory is served.
// The server runs for real on a loopback port over a client directory made here.
import http from "node:http";
import type net from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { http as mswHttp, passthrough } from "msw";
import { server as mockServer } from "../helpers/shopify-mock";
import { createWebServer } from "../../app/server/web-server";
import { closeQueues } from "../../app/lib/queues.server";

afterAll(() => closeQueues());
beforeEach(() => mockServer.use(mswHttp.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough())));

const script = `export function greet(name) { return "Hello, " + name; }\n`.repeat(100); // ~6 kB of text
const robots = `User-agent: *\nDisallow: /app\n`.repeat(60); // ~2 kB
const page = `<!doctype html><html><body>${"<p>lot L-1 shipped to 40 customers</p>".repeat(100)}</body></html>`;

const build = {
  mode: "production",
  basename: "/",
  publicPath: "/build/",
  assetsBuildDirectory: "build/client",
  future: {},
  isSpaMode: false,
  entry: { module: { default: (_request: Request, status: number) => new Response("document", { status }) } },
  assets: { entry: { module: "", imports: [] }, routes: {}, url: "", version: "1" },
  routes: {
    root: { id: "root", path: "", module: { default: () => null } },
    "routes/page": {
      id: "routes/page",
      parentId: "root",
      path: "page",
      module: { loader: () => new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } }) },
    },
  },
} as unknown as ServerBuild;

let dir: string;
let clientDir: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lk-static-"));
  clientDir = path.join(dir, "client");
  await mkdir(path.join(clientDir, "assets"), { recursive: true });
  await writeFile(path.join(clientDir, "assets", "entry.client-B3xY9kQ1.js"), script);
  await writeFile(path.join(clientDir, "robots.txt"), robots);
  await writeFile(path.join(dir, "secret.txt"), "not for the web\n");
  server = await createWebServer(build, { clientDir });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** A raw GET (no automatic decompression): status, headers and the bytes as sent. */
function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: pathname, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

describe("static files", () => {
  it("a hashed asset comes back brotli- or gzip-compressed as the client accepts, with an ETag and a year of immutable caching", async () => {
    const br = await get("/assets/entry.client-B3xY9kQ1.js", { "Accept-Encoding": "br, gzip" });
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.headers.etag).toMatch(/^(W\/)?"/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.length).toBeLessThan(script.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);

    const gzip = await get("/assets/entry.client-B3xY9kQ1.js", { "Accept-Encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(script);

    const plain = await get("/assets/entry.client-B3xY9kQ1.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it("a file outside /assets is revalidated: no-cache with an ETag; a conditional request with it gets 304 and no body", async () => {
    const first = await get("/robots.txt", { "Accept-Encoding": "gzip" });
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("public, no-cache");
    expect(first.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(first.body).toString()).toBe(robots);
    const etag = first.headers.etag!;
    expect(etag).toBeTruthy();

    const again = await get("/robots.txt", { "Accept-Encoding": "gzip", "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const asset = await get("/assets/entry.client-B3xY9kQ1.js", { "Accept-Encoding": "br" });
    expect((await get("/assets/entry.client-B3xY9kQ1.js", { "Accept-Encoding": "br", "If-None-Match": asset.headers.etag! })).status).toBe(304);

    // A changed file has a new ETag: the old one no longer matches.
    await writeFile(path.join(clientDir, "robots.txt"), `${robots}# changed\n`);
    const changed = await get("/robots.txt", { "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toBe(`${robots}# changed\n`);
  });

  it("serves nothing outside the client directory, and leaves unknown paths and directories to Remix", async () => {
    for (const attempt of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const answer = await get(attempt);
      expect(answer.body.toString()).not.toContain("not for the web");
      expect(answer.status).not.toBe(200);
    }
    expect((await get("/assets")).status).toBe(404); // a directory: Remix's 404, not a redirect
    expect((await get("/assets/missing-Abc123.js")).status).toBe(404);
  });

  it("compresses Remix's answers too", async () => {
    const answer = await get("/page", { "Accept-Encoding": "gzip" });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(answer.body).toString()).toBe(page);
  });
});
