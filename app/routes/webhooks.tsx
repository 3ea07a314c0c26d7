// POST /webhooks: every topic in shopify.app.toml, compliance topics included. Verify (the
// library's HMAC and header rules), record in the inbox, queue, answer. The production server
// (app/server/web-server.ts) sends /webhooks to the same receiveWebhook() without Remix.
import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "../domain/webhooks/inbox.server";
import { readBodyWithin } from "../domain/webhooks/read-body.server";
import { env } from "../env.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const body = await readBodyWithin(request, env().WEBHOOK_MAX_BYTES);
  if (body === "too-large") return new Response(null, { status: 413 });
  const result = await receiveWebhook({ method: request.method, header: (name) => request.headers.get(name), body });
  return new Response(null, { status: result.status });
};

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
