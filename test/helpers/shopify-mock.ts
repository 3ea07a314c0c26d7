// The simulated Shopify Admin API for tests: one msw server. Tests add handlers with
// server.use(...) (graphql.query / graphql.mutation by operation name, scoped with graphql.link
// when needed); a request no handler answers fails the test (onUnhandledRequest: "error").
// `adminRequests` records every Admin GraphQL request the app made, answered or not.
//
// Every handler made with this module's `graphql` stands behind Shopify's front door first
// (`shopifyGate`, app/lib/shopify-contract/admin-gate.ts): a request a real store would refuse
// (invalid against Shopify's published schema of the URL's API version, a deprecated field, a
// missing changeFromQuantity or @idempotent, a requested cost over 1,000, a spent leaky bucket) is
// answered the way Shopify answers it and never reaches the test's resolver. Answers with data get
// the real extensions.cost (requested and actual cost, the shop's bucket); error answers a test
// writes itself (a THROTTLED it wants to see) are passed on as written.
import { graphql as mswGraphql, http, HttpResponse, type GraphQLQuery, type GraphQLVariables, type ResponseResolver } from "msw";
import { setupServer } from "msw/node";
import { ShopifyAdminGate } from "../../app/lib/shopify-contract/admin-gate";

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

/** Shopify's checks and leaky buckets (one per shop domain, standard plan) for every handler below. */
export const shopifyGate = new ShopifyAdminGate();

server.events.on("request:start", async ({ request }) => {
  const url = new URL(request.url);
  if (!/\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) return;
  const body = (await request.clone().json()) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  const operationName = body.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1];
  adminRequests.push({ shop: url.hostname, operationName, query: body.query, variables: body.variables ?? {} });
});

type Resolver = ResponseResolver<
  { query: GraphQLQuery; variables: GraphQLVariables; operationName: string; cookies: Record<string, string>; request: Request; requestId: string },
  never
>;
type ResolverInfo = Parameters<Resolver>[0];

function behindShopifysDoor(resolver: Resolver): Resolver {
  return async (info: ResolverInfo) => {
    const url = new URL(info.request.url);
    const version = /\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname)?.[1];
    if (!version) return resolver(info);
    const shop = url.hostname;
    const text = await info.request.clone().text();
    const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    const checked = shopifyGate.admit(shop, version, body);
    if (!checked.ok) return HttpResponse.json(checked.body);
    const refund = () => shopifyGate.bucket(shop).refund(checked.requestedCost);
    const response = await resolver(info);
    if (!(response instanceof Response) || response.status !== 200 || !(response.headers.get("content-type") ?? "").includes("json")) {
      refund();
      return response;
    }
    const answer = (await response.clone().json()) as { data?: Record<string, unknown>; errors?: unknown[]; extensions?: Record<string, unknown> };
    if (answer.errors?.length || !answer.data) {
      refund();
      return response;
    }
    const cost = shopifyGate.settle(shop, version, checked, answer.data);
    return HttpResponse.json({ ...answer, extensions: { ...answer.extensions, cost } }, { status: 200, headers: response.headers });
  };
}

type Operation = typeof mswGraphql.query;

const gatedOperation =
  (operation: Operation): Operation =>
  (name, resolver, options) =>
    operation(name, behindShopifysDoor(resolver as unknown as Resolver) as unknown as typeof resolver, options);

/** msw's graphql namespace whose handlers answer only what Shopify would accept (see the header). */
export const graphql = {
  query: gatedOperation(mswGraphql.query),
  mutation: gatedOperation(mswGraphql.mutation as unknown as Operation) as unknown as typeof mswGraphql.mutation,
  link(url: string) {
    const linked = mswGraphql.link(url);
    return { query: gatedOperation(linked.query), mutation: gatedOperation(linked.mutation as unknown as Operation) as unknown as typeof linked.mutation };
  },
};

export { http, HttpResponse };
