// Session tokens as Shopify's admin issues them to an embedded app: an HS256 JWT signed with the
// app's client secret, aud = client id, dest = https://<shop>. The preview (and only the preview)
// mints them with the local secret, standing in for the Shopify admin.
import { createHmac, randomUUID } from "node:crypto";

const b64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

export interface MintedToken {
  token: string;
  /** Expiry in seconds since the epoch. */
  exp: number;
}

export function mintSessionToken(shop: string, apiKey: string, secret: string, lifetimeSeconds = 60): MintedToken {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + lifetimeSeconds;
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: apiKey,
      sub: "1",
      exp,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return { token: `${header}.${payload}.${signature}`, exp };
}

/** True when the token is signed with this secret and still valid for at least `marginSeconds`. */
export function isFreshSessionToken(token: string, secret: string, marginSeconds = 10): boolean {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return false;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  if (expected !== signature) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: number };
    return typeof claims.exp === "number" && claims.exp - marginSeconds > Date.now() / 1000;
  } catch {
    return false;
  }
}

/** The `host` query parameter the admin passes: base64 of the admin's address for the store. */
export function adminHostParam(shop: string): string {
  const store = shop.replace(/\.myshopify\.com$/, "");
  return Buffer.from(`admin.shopify.com/store/${store}`).toString("base64");
}
