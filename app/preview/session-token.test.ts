import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { adminHostParam, isFreshSessionToken, mintSessionToken } from "./session-token";

describe("preview session tokens", () => {
  it("are HS256 JWTs for the shop, signed with the secret, with aud = the API key", () => {
    const { token, exp } = mintSessionToken("tea.myshopify.com", "key-1", "secret-1", 60);
    const [header, payload, signature] = token.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    expect(claims).toMatchObject({ dest: "https://tea.myshopify.com", iss: "https://tea.myshopify.com/admin", aud: "key-1", exp });
    expect(signature).toBe(createHmac("sha256", "secret-1").update(`${header}.${payload}`).digest("base64url"));
    expect(exp - Date.now() / 1000).toBeGreaterThan(55);
  });

  it("are fresh only with the right secret and before expiry", () => {
    const { token } = mintSessionToken("tea.myshopify.com", "key-1", "secret-1", 60);
    expect(isFreshSessionToken(token, "secret-1")).toBe(true);
    expect(isFreshSessionToken(token, "other-secret")).toBe(false);
    expect(isFreshSessionToken(mintSessionToken("tea.myshopify.com", "key-1", "secret-1", 5).token, "secret-1")).toBe(false);
    expect(isFreshSessionToken("not.a.jwt", "secret-1")).toBe(false);
  });

  it("give the admin host parameter the library accepts (base64 of the store's admin address)", () => {
    expect(Buffer.from(adminHostParam("tea.myshopify.com"), "base64").toString()).toBe("admin.shopify.com/store/tea");
  });
});
