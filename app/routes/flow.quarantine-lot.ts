// POST /flow/quarantine-lot: the runtime_url of the "Quarantine lot" Flow action
// (extensions/flow-quarantine-lot). Thin: read the raw body (the HMAC is over its bytes), run the
// use case, answer its status and JSON message (app/domain/flow/flow-action.server.ts, decision 109).
import type { ActionFunctionArgs } from "@remix-run/node";
import { runQuarantineLotAction } from "../domain/flow/flow-action.server";
import { readBodyWithin } from "../domain/webhooks/read-body.server";
import { env } from "../env.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const body = await readBodyWithin(request, env().WEBHOOK_MAX_BYTES);
  if (body === "too-large") return new Response(null, { status: 413 });
  const answer = await runQuarantineLotAction({ header: (name) => request.headers.get(name), body, secret: env().SHOPIFY_API_SECRET });
  return Response.json(answer.body, { status: answer.status });
};

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
