// A closed-loop HTTP load generator: `connections` keep-alive connections, each sending the next
// request as soon as the previous answer arrives, for `durationMs`. Latency per request with
// process.hrtime; nothing but node:http.
import http from "node:http";
import { percentile } from "../lib/stats";

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  port: number;
  path: string;
  connections: number;
  durationMs: number;
  /** Headers and body of request number i (distinct webhook ids). */
  request(i: number): { headers: Record<string, string>; body: Buffer };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.durationMs;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const { headers, body } = options.request(i);
      const t0 = process.hrtime.bigint();
      const req = http.request(
        { host: "127.0.0.1", port: options.port, path: options.path, method: "POST", agent, headers: { ...headers, "Content-Length": String(body.length) } },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const loop = async () => {
    while (Date.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = statuses["200"] ?? 0;
  return {
    requests: latencies.length,
    ok,
    errors,
    statuses,
    seconds,
    perSecond: ok / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}
