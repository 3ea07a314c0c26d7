// The preview mints admin session tokens with the local secret and answers Shopify's Admin API
// with a simulator: it must never run where real merchants could reach it. These checks run
// before anything is imported or bound (see docs/decisions/050-preview-and-demo.md).

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

/** Throws PreviewRefusedError saying why and what to do, or returns when the preview may start. */
export function assertPreviewAllowed(options: { nodeEnv: string | undefined; host: string }): void {
  if (options.nodeEnv === "production") {
    throw new PreviewRefusedError(
      "Refusing to start the preview: NODE_ENV is production. The preview signs admin sessions with the local secret and simulates Shopify; run it only on a development machine (unset NODE_ENV).",
    );
  }
  if (!isLoopbackHost(options.host)) {
    throw new PreviewRefusedError(
      `Refusing to start the preview on host "${options.host}": it only listens on a loopback address (127.0.0.1, ::1 or localhost) so nobody else can open the panel it signs in for you.`,
    );
  }
}
