// msw answers for the Shopify calls of the lots context: variant and location lookups, on-hand
// reads and the inventory mutations (recorded with their variables for exact assertions).
import { graphql, HttpResponse, server } from "./shopify-mock";
import { createTestShop } from "./shops";
import { newId } from "./factories";

export interface MockVariant {
  id: bigint;
  inventoryItemId: bigint;
  sku?: string;
  title?: string;
  productTitle?: string;
  barcode?: string | null;
}

const cost = (requested = 10, available = 1990) => ({
  requestedQueryCost: requested,
  actualQueryCost: requested,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
});

/** Shopify knows these variants and locations (per shop domain); any other id answers null. */
export function mockCatalog(variants: MockVariant[], locations: { id: bigint; name: string }[]): void {
  server.use(
    graphql.query("LotkeeperVariant", ({ variables }) => {
      const id = String(variables.id).split("/").pop();
      const v = variants.find((x) => String(x.id) === id);
      return HttpResponse.json({
        data: {
          productVariant: v
            ? {
                id: `gid://shopify/ProductVariant/${v.id}`,
                sku: v.sku ?? `SKU-${v.id}`,
                title: v.title ?? "Default Title",
                barcode: v.barcode ?? null,
                product: { id: "gid://shopify/Product/1", title: v.productTitle ?? "Lavender soap" },
                inventoryItem: { id: `gid://shopify/InventoryItem/${v.inventoryItemId}` },
              }
            : null,
        },
        extensions: { cost: cost(2) },
      });
    }),
    graphql.query("LotkeeperLocation", ({ variables }) => {
      const id = String(variables.id).split("/").pop();
      const l = locations.find((x) => String(x.id) === id);
      return HttpResponse.json({
        data: { location: l ? { id: `gid://shopify/Location/${l.id}`, name: l.name, isActive: true } : null },
        extensions: { cost: cost(1) },
      });
    }),
  );
}

export interface SentMutation {
  shop: string;
  operation: "inventoryAdjustQuantities" | "inventoryMoveQuantities" | "tagsAdd";
  query: string;
  variables: Record<string, unknown>;
}

/** Answers the inventory mutations with success and records them. */
export function mockInventoryMutations(sent: SentMutation[]): void {
  const answer = (operation: SentMutation["operation"], query: string, variables: Record<string, unknown>, request: Request) => {
    sent.push({ shop: new URL(request.url).hostname, operation, query, variables });
    const input = variables.input as { reason?: string; referenceDocumentUri?: string } | undefined;
    return {
      data: {
        [operation]: {
          inventoryAdjustmentGroup: {
            id: `gid://shopify/InventoryAdjustmentGroup/${sent.length}`,
            reason: input?.reason ?? null,
            referenceDocumentUri: input?.referenceDocumentUri ?? null,
          },
          userErrors: [],
        },
      },
      extensions: { cost: cost(10) },
    };
  };
  server.use(
    graphql.mutation("LotkeeperInventoryAdjust", ({ query, variables, request }) =>
      HttpResponse.json(answer("inventoryAdjustQuantities", query, variables, request)),
    ),
    graphql.mutation("LotkeeperInventoryMove", ({ query, variables, request }) =>
      HttpResponse.json(answer("inventoryMoveQuantities", query, variables, request)),
    ),
  );
}

/** Shopify's on_hand per (inventory item, location), read by reconciliation. */
export function mockOnHand(levels: { inventoryItemId: bigint; locationId: bigint; onHand: number; locationName?: string }[]): void {
  server.use(
    graphql.query("LotkeeperOnHand", ({ variables }) => {
      const ids = variables.ids as string[];
      return HttpResponse.json({
        data: {
          nodes: ids.map((gid) => {
            const item = gid.split("/").pop()!;
            return {
              id: gid,
              inventoryLevels: {
                pageInfo: { hasNextPage: false, endCursor: null },
                nodes: levels
                  .filter((l) => String(l.inventoryItemId) === item)
                  .map((l) => ({
                    location: { id: `gid://shopify/Location/${l.locationId}`, name: l.locationName ?? "Shopify location" },
                    quantities: [{ name: "on_hand", quantity: l.onHand }],
                  })),
              },
            };
          }),
        },
        extensions: { cost: cost(ids.length * 3) },
      });
    }),
    graphql.query("LotkeeperLevelOnHand", ({ variables }) => {
      const item = String(variables.id).split("/").pop();
      const location = String(variables.locationId).split("/").pop();
      const level = levels.find((l) => String(l.inventoryItemId) === item && String(l.locationId) === location);
      return HttpResponse.json({
        data: { inventoryItem: { id: variables.id, inventoryLevel: level ? { quantities: [{ name: "on_hand", quantity: level.onHand }] } : null } },
        extensions: { cost: cost(2) },
      });
    }),
  );
}

/** A test shop whose Shopify catalog has one variant (`sku`) at two locations, Main and Annex; `sent` collects the inventory mutations. */
export async function shopWithTwoLocations(label: string, sku: string) {
  const shop = await createTestShop(label);
  const variant = { id: newId(), inventoryItemId: newId(), sku };
  const main = { id: newId(), name: "Main" };
  const annex = { id: newId(), name: "Annex" };
  mockCatalog([variant], [main, annex]);
  const sent: SentMutation[] = [];
  mockInventoryMutations(sent);
  return { shop, variant, main, annex, sent };
}
