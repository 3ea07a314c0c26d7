// Calling admin loaders and actions as the embedded app's browser does (bearer session token,
// desktop user agent). createTestShop (./shops) stores the session they authenticate with.
import { adminHeaders } from "./session";

export const ADMIN_BASE = "https://lotkeeper.test";

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
