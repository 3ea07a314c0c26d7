// Answers of the admin UI extensions' API (/api/extensions/*): JSON through the `cors()` helper of
// authenticate.admin, never cached (stock changes), and the preflight/other-method handling.
import { authenticate } from "../shopify.server";
import type { AdminContext } from "./admin-context.server";
import type { ExtensionError } from "./extension-api";
import { domainErrorAnswer, extensionErrorStatus } from "./domain-error-response.server";

export function extensionJson<T extends object>(cors: AdminContext["cors"], body: T | ExtensionError, status = 200): Response {
  return cors(Response.json(body, { status, headers: { "Cache-Control": "no-store" } }));
}

/**
 * A domain error (or a bad resource id) as { error }: 404 not found, 400 bad parameter, 422 refused
 * (domain-error-response.server.ts decides which). `messages` words a case in the block's terms,
 * by error name. Anything else is rethrown.
 */
export function extensionErrorJson(cors: AdminContext["cors"], error: unknown, messages: Record<string, string> = {}): Response {
  const answer = domainErrorAnswer(error);
  return extensionJson(cors, { error: messages[answer.name] ?? answer.message }, extensionErrorStatus(answer));
}

/**
 * Remix sends every method but GET/HEAD to `action`. authenticate.admin answers the CORS preflight
 * (OPTIONS) itself with a 204 carrying the CORS headers (it throws that Response); any other
 * method, once authenticated, is a 405 naming the one that works.
 */
export async function preflightOrRefuse(request: Request): Promise<Response> {
  const { cors } = await authenticate.admin(request);
  return cors(
    Response.json({ error: `${request.method} is not supported here: use GET` } satisfies ExtensionError, { status: 405, headers: { Allow: "GET, OPTIONS" } }),
  );
}
