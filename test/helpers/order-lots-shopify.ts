// msw answers for the lots written back on an order (app/domain/writeback/): a small store of the
// orders' note attributes and metafields per shop, read by LotkeeperOrderLots and replaced by
// LotkeeperOrderLotsUpdate as Shopify's orderUpdate does (customAttributes overwrite the whole list;
// metafields are set by namespace and key). Behind Shopify's front door (shopify-mock.ts): a
// document or variables Shopify's schema refuses never reach these resolvers.
import { graphql, HttpResponse, server } from "./shopify-mock";

export interface StoredOrder {
  customAttributes: { key: string; value: string | null }[];
  /** "namespace.key" -> value */
  metafields: Record<string, { type: string; value: string }>;
}

export interface OrderLotsWrite {
  shop: string;
  input: { id: string; customAttributes?: { key: string; value: string }[]; metafields?: { namespace: string; key: string; type: string; value: string }[] };
}

export interface OrderStore {
  /** "<shop>|gid://shopify/Order/<id>" -> what Shopify holds. Every order exists; unknown ones start empty. */
  orders: Map<string, StoredOrder>;
  writes: OrderLotsWrite[];
  reads: number;
  order(shop: string, orderId: bigint): StoredOrder;
}

const cost = (requested: number) => ({
  requestedQueryCost: requested,
  actualQueryCost: requested,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
});

export function mockOrderStore(): OrderStore {
  const store: OrderStore = {
    orders: new Map(),
    writes: [],
    reads: 0,
    order(shop, orderId) {
      const k = `${shop}|gid://shopify/Order/${orderId}`;
      let found = this.orders.get(k);
      if (!found) {
        found = { customAttributes: [], metafields: {} };
        this.orders.set(k, found);
      }
      return found;
    },
  };
  const held = (request: Request, id: string) => store.order(new URL(request.url).hostname, BigInt(id.split("/").pop()!));
  server.use(
    graphql.query("LotkeeperOrderLots", ({ variables, request }) => {
      store.reads += 1;
      const o = held(request, String(variables.id));
      const m = o.metafields[`${String(variables.namespace)}.${String(variables.key)}`];
      return HttpResponse.json({
        data: { order: { id: variables.id, customAttributes: o.customAttributes, metafield: m ? { value: m.value } : null } },
        extensions: { cost: cost(3) },
      });
    }),
    graphql.mutation("LotkeeperOrderLotsUpdate", ({ variables, request }) => {
      const input = variables.input as OrderLotsWrite["input"];
      store.writes.push({ shop: new URL(request.url).hostname, input });
      const o = held(request, input.id);
      if (input.customAttributes) o.customAttributes = input.customAttributes.map((a) => ({ ...a }));
      for (const m of input.metafields ?? []) o.metafields[`${m.namespace}.${m.key}`] = { type: m.type, value: m.value };
      return HttpResponse.json({ data: { orderUpdate: { order: { id: input.id }, userErrors: [] } }, extensions: { cost: cost(10) } });
    }),
  );
  return store;
}
