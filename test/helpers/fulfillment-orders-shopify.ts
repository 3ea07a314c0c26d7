// Shopify's fulfillment orders as the msw store answers them (behind Shopify's front door, see
// shopify-mock.ts): per shop domain (the request's host), paged exactly as the app's documents ask
// (first: 5 fulfillment orders, first: 25 lines, first: 100 on a lines page), cursors opaque.
import { graphql, HttpResponse, server } from "./shopify-mock";

export interface MockFulfillmentOrder {
  id: bigint;
  orderId: bigint;
  locationId: bigint | null;
  status: "OPEN" | "IN_PROGRESS" | "ON_HOLD" | "SCHEDULED" | "INCOMPLETE" | "CLOSED" | "CANCELLED";
  updatedAt: string;
  lines: { id: bigint; lineItemId: bigint; total: number; remaining: number }[];
}

/** shop domain -> its fulfillment orders. Tests change it to play what Shopify did (a move, a split). */
export type FulfillmentOrderStore = Map<string, MockFulfillmentOrder[]>;

const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString("base64");
const indexAfter = (after: unknown) => (typeof after === "string" ? Number(Buffer.from(after, "base64").toString().split(":")[1]) + 1 : 0);
const idOf = (gid: unknown) => BigInt(/(\d+)$/.exec(String(gid))![1]!);

function page<T, N>(all: T[], after: unknown, first: number, node: (t: T) => N) {
  const start = indexAfter(after);
  const nodes = all.slice(start, start + first);
  return { pageInfo: { hasNextPage: start + first < all.length, endCursor: nodes.length ? cursor(start + nodes.length - 1) : null }, nodes: nodes.map(node) };
}

const lineNode = (l: MockFulfillmentOrder["lines"][number]) => ({
  id: `gid://shopify/FulfillmentOrderLineItem/${l.id}`,
  totalQuantity: l.total,
  remainingQuantity: l.remaining,
  lineItem: { id: `gid://shopify/LineItem/${l.lineItemId}` },
});

export function mockFulfillmentOrders(store: FulfillmentOrderStore): void {
  const of = (request: Request) => store.get(new URL(request.url).hostname) ?? [];
  server.use(
    graphql.query("LotkeeperFulfillmentOrders", ({ request, variables }) => {
      const orderId = idOf(variables.id);
      const fos = of(request)
        .filter((f) => f.orderId === orderId)
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      if (fos.length === 0) return HttpResponse.json({ data: { order: null } });
      return HttpResponse.json({
        data: {
          order: {
            id: variables.id,
            fulfillmentOrders: page(fos, variables.after, 5, (f) => ({
              id: `gid://shopify/FulfillmentOrder/${f.id}`,
              status: f.status,
              updatedAt: f.updatedAt,
              assignedLocation: { location: f.locationId === null ? null : { id: `gid://shopify/Location/${f.locationId}` } },
              lineItems: page(f.lines, null, 25, lineNode),
            })),
          },
        },
      });
    }),
    graphql.query("LotkeeperFulfillmentOrderLines", ({ request, variables }) => {
      const fo = of(request).find((f) => f.id === idOf(variables.id));
      return HttpResponse.json({
        data: { fulfillmentOrder: fo ? { id: variables.id, lineItems: page(fo.lines, variables.after, 100, lineNode) } : null },
      });
    }),
    graphql.query("LotkeeperFulfillmentOrderOrder", ({ request, variables }) => {
      const fo = of(request).find((f) => f.id === idOf(variables.id));
      return HttpResponse.json({ data: { fulfillmentOrder: fo ? { id: variables.id, orderId: `gid://shopify/Order/${fo.orderId}` } : null } });
    }),
  );
}
