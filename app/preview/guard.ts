// The preview mints admin session tokens with its own secret and answers Shopify's Admin API
// with a simulator: it must never run where real merchants could reach it. These checks run
// before anything is imported or bound (docs/decisions/050-preview-and-demo.md, 090).

export class PreviewRefusedError extends Error {
  override name = "PreviewRefusedError";
}

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1"]);

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return Boolean(v4 && v4.slice(1).every((part) => Number(part) <= 255));
}

export function assertNotProduction(nodeEnv: string | undefined): void {
  if (nodeEnv === "production") {
    throw new PreviewRefusedError(
      "Refusing to start the preview: NODE_ENV is production. The preview signs admin sessions with its own secret and simulates Shopify; run it only on a development machine (unset NODE_ENV).",
    );
  }
}

/**
 * Throws PreviewRefusedError saying why and what to do, or returns when the preview may start
 * here. The rest of what makes it a local preview (its own secret, database, queues and build) is
 * isolation.ts.
 */
export function assertPreviewAllowed(options: { nodeEnv: string | undefined; host: string }): void {
  assertNotProduction(options.nodeEnv);
  if (!isLoopbackHost(options.host)) {
    throw new PreviewRefusedError(
      `Refusing to start the preview on host "${options.host}": it only listens on a loopback address (127.0.0.1, ::1 or localhost) so nobody else can open the panel it signs in for you.`,
    );
  }
}
