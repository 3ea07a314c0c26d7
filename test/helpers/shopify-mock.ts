// The simulated Shopify Admin API for tests: one msw server. Tests add handlers with
// server.use(...) (graphql.query / graphql.mutation by operation name, scoped with graphql.link
// when needed); a request no handler answers fails the test (onUnhandledRequest: "error").
// `adminRequests` records every Admin GraphQL request the app made, answered or not.
import { graphql, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

export interface AdminRequest {
  shop: string;
  operationName: string | undefined;
  query: string;
  variables: Record<string, unknown>;
}

export const adminRequests: AdminRequest[] = [];

export function resetAdminRequests(): void {
  adminRequests.length = 0;
}

export const server = setupServer();

server.events.on("request:start", async ({ request }) => {
  const url = new URL(request.url);
  if (!/\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) return;
  const body = (await request.clone().json()) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  const operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1];
  adminRequests.push({ shop: url.hostname, operationName, query: body.query, variables: body.variables ?? {} });
});

export { graphql, http, HttpResponse };
