// Admin sessions for tests: an offline session stored for the shop (so authenticate.admin does no
// token exchange) and a valid session token (HS256 JWT signed with the API secret, aud = API key).
import { createHmac, randomUUID } from "node:crypto";
import { TEST_SECRET } from "./webhooks";

export const TEST_API_KEY = "test-api-key";
/** A normal desktop browser: authenticate.admin answers 410 to bots (isbot matches Node's fetch). */
export const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString("base64url");
}

export function sessionToken(shop: string, options: { secret?: string; apiKey?: string; expiresIn?: number; sub?: string; dest?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: options.dest ?? `https://${shop}`,
      aud: options.apiKey ?? TEST_API_KEY,
      sub: options.sub ?? "42",
      exp: now + (options.expiresIn ?? 300),
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", options.secret ?? TEST_SECRET)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** Headers of an embedded-app fetch (App Bridge adds the bearer token). */
export function adminHeaders(shop: string): Record<string, string> {
  return { Authorization: `Bearer ${sessionToken(shop)}`, "User-Agent": DESKTOP_UA };
}
