// The simulated store of the demo: a small organic grocery with three locations and five
// products (GTIN barcodes), as Shopify would describe them in products/create and
// locations/create, and as the Admin API simulator answers for them.
import type { SimulatedCatalog } from "../preview/shopify-simulator.server";

export { DEMO_SHOP } from "../preview/preview-constants";

export const LOCATIONS = [
  { id: "80010000001", name: "Berlin warehouse" },
  { id: "80010000002", name: "Munich store" },
  { id: "80010000003", name: "Hamburg store" },
] as const;

export interface DemoProduct {
  productId: string;
  title: string;
  vendor: string;
  variants: { id: string; title: string; sku: string; barcode: string; inventoryItemId: string; price: string }[];
}

export const PRODUCTS: DemoProduct[] = [
  {
    productId: "9100000000001",
    title: "Organic oat milk 1 L",
    vendor: "Haferhof",
    variants: [{ id: "47100000000001", title: "Default Title", sku: "OAT-1L", barcode: "4006381333931", inventoryItemId: "49100000000001", price: "2.49" }],
  },
  {
    productId: "9100000000002",
    title: "Greek yogurt 500 g",
    vendor: "Alpenmilch",
    variants: [{ id: "47100000000002", title: "Default Title", sku: "YOG-500", barcode: "4012345000016", inventoryItemId: "49100000000002", price: "3.29" }],
  },
  {
    productId: "9100000000003",
    title: "Honey granola 400 g",
    vendor: "Kornkammer",
    variants: [{ id: "47100000000003", title: "Default Title", sku: "GRAN-400", barcode: "4012345000023", inventoryItemId: "49100000000003", price: "4.99" }],
  },
  {
    productId: "9100000000004",
    title: "Vitamin D3 drops",
    vendor: "Sonnenwerk",
    variants: [
      { id: "47100000000004", title: "10 ml", sku: "D3-10", barcode: "4012345000030", inventoryItemId: "49100000000004", price: "9.90" },
      { id: "47100000000005", title: "30 ml", sku: "D3-30", barcode: "4012345000047", inventoryItemId: "49100000000005", price: "19.90" },
    ],
  },
  {
    productId: "9100000000005",
    title: "Breakfast box",
    vendor: "Lotkeeper Grocery",
    variants: [
      { id: "47100000000006", title: "Default Title", sku: "BOX-BREAKFAST", barcode: "4012345000054", inventoryItemId: "49100000000006", price: "12.90" },
    ],
  },
];

export function variantBySku(sku: string) {
  for (const p of PRODUCTS) for (const v of p.variants) if (v.sku === sku) return { ...v, productId: p.productId, productTitle: p.title };
  throw new Error(`demo store has no SKU ${sku}`);
}

export function simulatorCatalog(): SimulatedCatalog {
  return {
    locations: LOCATIONS.map((l) => ({ id: l.id, name: l.name })),
    variants: PRODUCTS.flatMap((p) =>
      p.variants.map((v) => ({
        id: v.id,
        productId: p.productId,
        productTitle: p.title,
        title: v.title,
        sku: v.sku,
        barcode: v.barcode,
        inventoryItemId: v.inventoryItemId,
      })),
    ),
  };
}

/** products/create bodies as Shopify sends them. */
export function productPayloads(now: Date): Record<string, unknown>[] {
  return PRODUCTS.map((p) => ({
    id: Number(p.productId),
    admin_graphql_api_id: `gid://shopify/Product/${p.productId}`,
    title: p.title,
    vendor: p.vendor,
    status: "active",
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    variants: p.variants.map((v, i) => ({
      id: Number(v.id),
      product_id: Number(p.productId),
      title: v.title,
      price: v.price,
      sku: v.sku,
      position: i + 1,
      barcode: v.barcode,
      inventory_item_id: Number(v.inventoryItemId),
      inventory_quantity: 0,
      admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })),
  }));
}

export function locationPayloads(now: Date): Record<string, unknown>[] {
  return LOCATIONS.map((l) => ({
    id: Number(l.id),
    name: l.name,
    active: true,
    country_code: "DE",
    admin_graphql_api_id: `gid://shopify/Location/${l.id}`,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }));
}
