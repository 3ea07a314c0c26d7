// Calling admin loaders and actions as the embedded app's browser does (bearer session token,
// desktop user agent), for a shop whose stored session holds every scope the app asks for.
import { pool } from "../../app/db.server";
import { DEFAULT_SCOPES } from "../../app/env.server";
import { adminHeaders } from "./session";
import { createTestShop } from "./shops";

export const ADMIN_BASE = "https://lotkeeper.test";

/** A test shop whose session has all scopes (else the library asks to re-authorize). */
export async function createAdminShop(label: string) {
  const shop = await createTestShop(label);
  await pool().query(`update "Session" set scope = $2 where shop = $1`, [shop.domain, process.env.SCOPES ?? DEFAULT_SCOPES]);
  return shop;
}

export function adminGet(shop: string, path: string): Request {
  return new Request(`${ADMIN_BASE}${path}`, { headers: adminHeaders(shop) });
}

export function adminPost(shop: string, path: string, form: Record<string, string>): Request {
  return new Request(`${ADMIN_BASE}${path}`, { method: "POST", headers: adminHeaders(shop), body: new URLSearchParams(form) });
}

/** The HTTP status a loader or action answers with (a thrown Response counts). */
export async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    const value = await promise;
    return value instanceof Response ? value.status : 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}
