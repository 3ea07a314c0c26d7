// The Shopify Admin API as the preview and the demo see it: an msw interceptor in this process
// answering https://<shop>/admin/api/<version>/graphql.json with a real GraphQL executor over
// Shopify's own published Admin schema of the requested version (@shopify/dev-mcp, loaded by
// app/lib/shopify-contract/admin-schema.ts), behind Shopify's front door (admin-gate.ts): what a real
// store refuses (invalid or deprecated fields, no changeFromQuantity or @idempotent, a requested
// cost over 1,000, a spent leaky bucket of the standard plan) is refused here the way Shopify
// answers it. Resolvers exist for the operations this app sends; other fields resolve to nothing. State (catalog, inventory levels
// per state, tags, order attributes and metafields, idempotency keys, orders' fulfillment orders) lives in Redis so the web and worker processes of one demo
// see the same store. Only started by the preview server and the demo's processes, never when
// NODE_ENV is production (see docs/decisions/050-preview-and-demo.md).
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { execute } from "graphql";
import { Redis } from "ioredis";
import { PREVIEW_ACCESS_TOKEN } from "./preview-constants";
import { API_VERSION } from "../lib/shopify-api-version";
import { adminContract } from "../lib/shopify-contract/admin-schema";
import { ShopifyAdminGate } from "../lib/shopify-contract/admin-gate";

export interface SimulatedLocation {
  id: string; // numeric id as digits
  name: string;
}
export interface SimulatedVariant {
  id: string;
  productId: string;
  productTitle: string;
  title: string;
  sku: string;
  barcode: string | null;
  inventoryItemId: string;
}
export interface SimulatedCatalog {
  locations: SimulatedLocation[];
  variants: SimulatedVariant[];
}

/** Quantity names that make up on_hand (Shopify's inventory states). */
const ON_HAND_PARTS = ["available", "committed", "reserved", "damaged", "safety_stock", "quality_control"];

const numericId = (gidOrId: string) => /(\d+)$/.exec(String(gidOrId))?.[1] ?? String(gidOrId);
const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

let redisClient: Redis | undefined;
function redis(): Redis {
  redisClient ??= new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 3 });
  return redisClient;
}
/**
 * Keys are per database as well as per shop: every process of one demo or test run shares its
 * DATABASE_URL, and two runs on one machine (a developer's demo, a CI run) never see each other.
 */
function namespace(): string {
  try {
    return new URL(process.env.DATABASE_URL ?? "postgresql://127.0.0.1/lotkeeper").pathname.slice(1) || "lotkeeper";
  } catch {
    return "lotkeeper";
  }
}
const key = (shop: string, part: string) => `lotkeeper-simulator:${namespace()}:${shop}:${part}`;

/** Replaces the simulated store's catalog (products, variants, locations) for a shop. */
export async function seedSimulatedStore(shop: string, catalog: SimulatedCatalog): Promise<void> {
  await redis().set(key(shop, "catalog"), JSON.stringify(catalog));
}

export async function simulatedCatalog(shop: string): Promise<SimulatedCatalog> {
  const raw = await redis().get(key(shop, "catalog"));
  return raw ? (JSON.parse(raw) as SimulatedCatalog) : { locations: [], variants: [] };
}

/** Changes a simulated quantity as Shopify itself would (a sale, a merchant edit in the admin). */
export async function changeSimulatedQuantity(shop: string, inventoryItemId: string, locationId: string, name: string, delta: number): Promise<number> {
  return redis().hincrby(key(shop, "levels"), `${numericId(inventoryItemId)}:${numericId(locationId)}:${name}`, delta);
}

export async function simulatedQuantity(shop: string, inventoryItemId: string, locationId: string, name: string): Promise<number> {
  const item = numericId(inventoryItemId);
  const location = numericId(locationId);
  const names = name === "on_hand" ? ON_HAND_PARTS : [name];
  const values = await redis().hmget(key(shop, "levels"), ...names.map((n) => `${item}:${location}:${n}`));
  return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
}

/** Every mutation the simulator applied, oldest first (the demo's summary counts them). */
export async function simulatedMutations(shop: string): Promise<{ operation: string; idempotencyKey: string | null; at: string }[]> {
  const rows = await redis().lrange(key(shop, "mutations"), 0, -1);
  return rows.map((r) => JSON.parse(r));
}

/**
 * An order as the simulated store keeps what apps write on it: note attributes (customAttributes)
 * and metafields ("namespace.key" -> { type, value }). The simulator holds no order catalog: every
 * order id exists (the demo's orders are the ones its webhooks describe) and starts with none.
 */
export interface SimulatedOrderData {
  customAttributes: { key: string; value: string }[];
  metafields: Record<string, { type: string; value: string }>;
}

export async function simulatedOrder(shop: string, orderId: string): Promise<SimulatedOrderData> {
  const raw = await redis().get(key(shop, `order:${numericId(orderId)}`));
  return raw ? (JSON.parse(raw) as SimulatedOrderData) : { customAttributes: [], metafields: {} };
}

/** Sets an order's attributes as a merchant (or another app) would, before the app writes its own. */
export async function setSimulatedOrder(shop: string, orderId: string, data: SimulatedOrderData): Promise<void> {
  await redis().set(key(shop, `order:${numericId(orderId)}`), JSON.stringify(data));
}

export async function resetSimulatedStore(shop: string): Promise<void> {
  const keys = await redis().keys(key(shop, "*"));
  if (keys.length) await redis().del(...keys);
}

// Orders and their fulfillment orders (decision 101). Shopify routes every new order to a location
// and splits it into fulfillment orders; the simulator is told the order and where it is routed
// (the demo: where the order will ship from) and keeps one fulfillment order per routing, in
// Redis like the rest of the store. A move closes the original and opens a new one, as Shopify
// does (fulfillment_orders/moved names both).

export interface SimulatedFulfillmentOrder {
  id: string;
  orderId: string;
  locationId: string;
  status: "OPEN" | "CLOSED";
  updatedAt: string;
  lines: { id: string; lineItemId: string; quantity: number; remaining: number }[];
}

async function nextSimulatedId(): Promise<string> {
  // Far above the demo's own ids, one sequence for every shop (ids are global in Shopify too).
  return String(9_000_000_000_000 + (await redis().incr(key("global", "fulfillment-sequence"))));
}

async function saveFulfillmentOrder(shop: string, fo: SimulatedFulfillmentOrder): Promise<void> {
  await redis().hset(key(shop, "fulfillment-orders"), fo.id, JSON.stringify(fo));
  await redis().sadd(key(shop, `order-fulfillment-orders:${fo.orderId}`), fo.id);
}

/** Records a new order routed to `locationId`: one OPEN fulfillment order holding every line. Returns it. */
export async function recordSimulatedOrder(
  shop: string,
  order: { id: string; locationId: string; lines: { id: string; quantity: number }[] },
): Promise<SimulatedFulfillmentOrder> {
  const lines = await Promise.all(
    order.lines.map(async (l) => ({ id: await nextSimulatedId(), lineItemId: String(l.id), quantity: l.quantity, remaining: l.quantity })),
  );
  const fo: SimulatedFulfillmentOrder = {
    id: await nextSimulatedId(),
    orderId: String(order.id),
    locationId: numericId(order.locationId),
    status: "OPEN",
    updatedAt: new Date().toISOString(),
    lines,
  };
  await saveFulfillmentOrder(shop, fo);
  return fo;
}

/** Every fulfillment order of the order, oldest first (empty when the simulator was not told the order). */
export async function simulatedFulfillmentOrders(shop: string, orderId: string): Promise<SimulatedFulfillmentOrder[]> {
  const ids = await redis().smembers(key(shop, `order-fulfillment-orders:${numericId(orderId)}`));
  if (ids.length === 0) return [];
  const raw = await redis().hmget(key(shop, "fulfillment-orders"), ...ids);
  return raw
    .filter((r): r is string => r !== null)
    .map((r) => JSON.parse(r) as SimulatedFulfillmentOrder)
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

async function simulatedFulfillmentOrder(shop: string, id: string): Promise<SimulatedFulfillmentOrder | null> {
  const raw = await redis().hget(key(shop, "fulfillment-orders"), numericId(id));
  return raw ? (JSON.parse(raw) as SimulatedFulfillmentOrder) : null;
}

/**
 * Moves a whole open fulfillment order to another location as Shopify's fulfillmentOrderMove does:
 * the original is CLOSED (its lines' remaining 0), a new OPEN one holds the lines there. Returns
 * both, for the fulfillment_orders/moved body.
 */
export async function moveSimulatedFulfillmentOrder(
  shop: string,
  fulfillmentOrderId: string,
  locationId: string,
): Promise<{ original: SimulatedFulfillmentOrder; moved: SimulatedFulfillmentOrder }> {
  const original = await simulatedFulfillmentOrder(shop, fulfillmentOrderId);
  if (!original || original.status !== "OPEN") throw new Error(`the simulated store has no open fulfillment order ${fulfillmentOrderId}`);
  const now = new Date().toISOString();
  const moved: SimulatedFulfillmentOrder = {
    ...original,
    id: await nextSimulatedId(),
    locationId: numericId(locationId),
    updatedAt: now,
    lines: await Promise.all(original.lines.map(async (l) => ({ ...l, id: await nextSimulatedId() }))),
  };
  const closed: SimulatedFulfillmentOrder = { ...original, status: "CLOSED", updatedAt: now, lines: original.lines.map((l) => ({ ...l, remaining: 0 })) };
  await saveFulfillmentOrder(shop, closed);
  await saveFulfillmentOrder(shop, moved);
  return { original: closed, moved };
}

class SimulatorContext {
  constructor(
    readonly shop: string,
    readonly catalog: SimulatedCatalog,
    readonly idempotencyKey: string | null,
  ) {}

  location(id: string) {
    const found = this.catalog.locations.find((l) => l.id === numericId(id));
    return found ? { id: gid("Location", found.id), name: found.name, isActive: true, legacyResourceId: found.id } : null;
  }

  variantByItem(itemId: string) {
    return this.catalog.variants.find((v) => v.inventoryItemId === numericId(itemId));
  }

  variant(v: SimulatedVariant | undefined) {
    if (!v) return null;
    return {
      id: gid("ProductVariant", v.id),
      title: v.title,
      displayName: `${v.productTitle} - ${v.title}`,
      sku: v.sku,
      barcode: v.barcode,
      legacyResourceId: v.id,
      product: { id: gid("Product", v.productId), title: v.productTitle, legacyResourceId: v.productId },
      inventoryItem: () => this.item(v.inventoryItemId),
    };
  }

  item(itemId: string) {
    const v = this.variantByItem(itemId);
    if (!v) return null;
    const item = numericId(itemId);
    return {
      id: gid("InventoryItem", item),
      sku: v.sku,
      tracked: true,
      legacyResourceId: item,
      variant: () => this.variant(v),
      variants: () => connection([this.variant(v)]),
      inventoryLevel: ({ locationId }: { locationId: string }) => this.level(item, locationId),
      inventoryLevels: () => connection(this.catalog.locations.map((l) => this.level(item, l.id)).filter(Boolean)),
    };
  }

  level(itemId: string, locationId: string) {
    const location = this.location(locationId);
    if (!location) return null;
    const item = numericId(itemId);
    return {
      id: `gid://shopify/InventoryLevel/${item}?inventory_item_id=${item}&location_id=${location.legacyResourceId}`,
      location,
      item: () => this.item(item),
      updatedAt: new Date().toISOString(),
      quantities: async ({ names }: { names: string[] }) =>
        Promise.all(
          names.map(async (name) => ({
            id: `${item}:${location.legacyResourceId}:${name}`,
            name,
            quantity: await simulatedQuantity(this.shop, item, location.legacyResourceId, name),
            updatedAt: new Date().toISOString(),
          })),
        ),
    };
  }

  fulfillmentOrder(fo: SimulatedFulfillmentOrder) {
    return {
      __typename: "FulfillmentOrder",
      id: gid("FulfillmentOrder", fo.id),
      orderId: gid("Order", fo.orderId),
      status: fo.status,
      updatedAt: fo.updatedAt,
      createdAt: fo.updatedAt,
      assignedLocation: { location: this.location(fo.locationId), name: this.location(fo.locationId)?.name ?? "", countryCode: "DE" },
      lineItems: () =>
        connection(
          fo.lines.map((l) => ({
            id: gid("FulfillmentOrderLineItem", l.id),
            totalQuantity: l.quantity,
            remainingQuantity: l.remaining,
            lineItem: { id: gid("LineItem", l.lineItemId) },
          })),
        ),
    };
  }

  async order(id: string) {
    const fos = await simulatedFulfillmentOrders(this.shop, id);
    if (fos.length === 0) return null; // an order the simulator was not told about
    return { __typename: "Order", id: gid("Order", numericId(id)), fulfillmentOrders: () => connection(fos.map((fo) => this.fulfillmentOrder(fo))) };
  }

  /** True the first time an idempotency key is seen: a retried mutation applies once. */
  async firstUse(operation: string): Promise<boolean> {
    if (!this.idempotencyKey) return true;
    const set = await redis().set(key(this.shop, `idempotent:${operation}:${this.idempotencyKey}`), "1", "EX", 86_400, "NX");
    return set === "OK";
  }

  async record(operation: string): Promise<void> {
    await redis().rpush(key(this.shop, "mutations"), JSON.stringify({ operation, idempotencyKey: this.idempotencyKey, at: new Date().toISOString() }));
  }
}

function connection<T>(nodes: T[]) {
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: String(i) })),
    pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: nodes.length ? String(nodes.length - 1) : null, startCursor: nodes.length ? "0" : null },
  };
}

function group(reason: string, referenceDocumentUri: string | null | undefined, changes: unknown[]) {
  return {
    id: `gid://shopify/InventoryAdjustmentGroup/${Date.now()}`,
    createdAt: new Date().toISOString(),
    reason,
    referenceDocumentUri,
    changes: () => changes,
  };
}

interface AdjustInput {
  reason: string;
  name: string;
  referenceDocumentUri?: string;
  changes: { delta: number; inventoryItemId: string; locationId: string }[];
}
interface MoveInput {
  reason: string;
  referenceDocumentUri: string;
  changes: { inventoryItemId: string; quantity: number; from: { locationId: string; name: string }; to: { locationId: string; name: string } }[];
}
interface SetInput {
  reason: string;
  name: string;
  referenceDocumentUri?: string;
  quantities: { inventoryItemId: string; locationId: string; quantity: number }[];
}

function rootValue(ctx: SimulatorContext) {
  // Codes are values of Shopify's *UserErrorCode enums of the schema (a string outside them would not serialize).
  const userError = (message: string, code: string) => ({ inventoryAdjustmentGroup: null, userErrors: [{ field: ["input"], message, code }] });
  const unknownItem = (items: string[]) => items.find((i) => !ctx.variantByItem(i));
  return {
    shop: () => ({
      id: gid("Shop", "1"),
      name: ctx.shop.replace(/\.myshopify\.com$/, ""),
      myshopifyDomain: ctx.shop,
      currencyCode: "EUR",
      ianaTimezone: "Europe/Berlin",
      email: `owner@${ctx.shop}`,
    }),
    location: ({ id }: { id: string }) => ctx.location(id),
    locations: () => connection(ctx.catalog.locations.map((l) => ctx.location(l.id))),
    productVariant: ({ id }: { id: string }) => ctx.variant(ctx.catalog.variants.find((v) => v.id === numericId(id))),
    productVariants: ({ query }: { query?: string }) => {
      const q = (query ?? "").toLowerCase().replace(/^(sku|barcode|title):/, "");
      return connection(
        ctx.catalog.variants
          .filter((v) => !q || [v.sku, v.barcode, v.title, v.productTitle].some((f) => f?.toLowerCase().includes(q)))
          .map((v) => ctx.variant(v)),
      );
    },
    inventoryItem: ({ id }: { id: string }) => ctx.item(id),
    fulfillmentOrder: async ({ id }: { id: string }) => {
      const fo = await simulatedFulfillmentOrder(ctx.shop, id);
      return fo ? ctx.fulfillmentOrder(fo) : null;
    },
    node: ({ id }: { id: string }) => nodeById(ctx, id),
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => nodeById(ctx, id)),
    inventoryAdjustQuantities: async ({ input }: { input: AdjustInput }) => {
      const bad = unknownItem(input.changes.map((c) => c.inventoryItemId));
      if (bad) return userError(`The specified inventory item could not be found: ${bad}`, "INVALID_INVENTORY_ITEM");
      if (input.changes.some((c) => !ctx.location(c.locationId))) return userError("The specified location could not be found.", "INVALID_LOCATION");
      const changes = [];
      const apply = await ctx.firstUse("inventoryAdjustQuantities");
      for (const c of input.changes) {
        const after = apply
          ? await changeSimulatedQuantity(ctx.shop, c.inventoryItemId, c.locationId, input.name, c.delta)
          : await simulatedQuantity(ctx.shop, c.inventoryItemId, c.locationId, input.name);
        changes.push({ name: input.name, delta: c.delta, quantityAfterChange: after, item: ctx.item(c.inventoryItemId), location: ctx.location(c.locationId) });
      }
      if (apply) await ctx.record("inventoryAdjustQuantities");
      return { inventoryAdjustmentGroup: group(input.reason, input.referenceDocumentUri, changes), userErrors: [] };
    },
    inventoryMoveQuantities: async ({ input }: { input: MoveInput }) => {
      const bad = unknownItem(input.changes.map((c) => c.inventoryItemId));
      if (bad) return userError(`The specified inventory item could not be found: ${bad}`, "INVALID_INVENTORY_ITEM");
      for (const c of input.changes) {
        if (numericId(c.from.locationId) !== numericId(c.to.locationId))
          return userError("Quantities can only be moved between states at one location.", "DIFFERENT_LOCATIONS");
        const have = await simulatedQuantity(ctx.shop, c.inventoryItemId, c.from.locationId, c.from.name);
        if (have < c.quantity) return userError(`Not enough ${c.from.name} quantity to move (${have} < ${c.quantity}).`, "INVALID_QUANTITY_NEGATIVE");
      }
      const changes = [];
      const apply = await ctx.firstUse("inventoryMoveQuantities");
      for (const c of input.changes) {
        if (apply) {
          await changeSimulatedQuantity(ctx.shop, c.inventoryItemId, c.from.locationId, c.from.name, -c.quantity);
          await changeSimulatedQuantity(ctx.shop, c.inventoryItemId, c.to.locationId, c.to.name, c.quantity);
        }
        changes.push({ name: c.from.name, delta: -c.quantity, item: ctx.item(c.inventoryItemId), location: ctx.location(c.from.locationId) });
        changes.push({ name: c.to.name, delta: c.quantity, item: ctx.item(c.inventoryItemId), location: ctx.location(c.to.locationId) });
      }
      if (apply) await ctx.record("inventoryMoveQuantities");
      return { inventoryAdjustmentGroup: group(input.reason, input.referenceDocumentUri, changes), userErrors: [] };
    },
    inventorySetQuantities: async ({ input }: { input: SetInput }) => {
      const bad = unknownItem(input.quantities.map((c) => c.inventoryItemId));
      if (bad) return userError(`The specified inventory item could not be found: ${bad}`, "INVALID_INVENTORY_ITEM");
      const changes = [];
      const apply = await ctx.firstUse("inventorySetQuantities");
      for (const q of input.quantities) {
        const before = await simulatedQuantity(ctx.shop, q.inventoryItemId, q.locationId, input.name);
        if (apply) await changeSimulatedQuantity(ctx.shop, q.inventoryItemId, q.locationId, input.name, q.quantity - before);
        changes.push({
          name: input.name,
          delta: q.quantity - before,
          quantityAfterChange: q.quantity,
          item: ctx.item(q.inventoryItemId),
          location: ctx.location(q.locationId),
        });
      }
      if (apply) await ctx.record("inventorySetQuantities");
      return { inventoryAdjustmentGroup: group(input.reason, input.referenceDocumentUri, changes), userErrors: [] };
    },
    // The order's attributes and metafields (write-back, decision 102) and its fulfillment orders (decision 101).
    // An order the simulator was told about (its fulfillment orders, or attributes set as a merchant would), else null as Shopify answers.
    order: async ({ id }: { id: string }) => {
      const withFulfillmentOrders = await ctx.order(id);
      if (!withFulfillmentOrders && !(await redis().exists(key(ctx.shop, `order:${numericId(id)}`)))) return null;
      return { ...(await orderView(ctx, id)), fulfillmentOrders: () => connection([]), ...withFulfillmentOrders };
    },
    orderUpdate: async ({ input }: { input: OrderUpdateInput }) => {
      const data = await simulatedOrder(ctx.shop, input.id);
      // orderUpdate replaces the whole list of attributes (OrderInput.customAttributes: "Overwrites the existing custom attributes").
      if (input.customAttributes) data.customAttributes = input.customAttributes.map((a) => ({ key: a.key, value: a.value }));
      for (const m of input.metafields ?? []) {
        if (!m.namespace || !m.key || !m.type || m.value === undefined || m.value === null) {
          return { order: null, userErrors: [{ field: ["metafields"], message: "Metafields need a namespace, a key, a type and a value." }] };
        }
        if (m.type === "json") {
          try {
            JSON.parse(m.value);
          } catch {
            return { order: null, userErrors: [{ field: ["metafields", "value"], message: "Value must be valid JSON." }] };
          }
        }
        data.metafields[`${m.namespace}.${m.key}`] = { type: m.type, value: m.value };
      }
      await setSimulatedOrder(ctx.shop, input.id, data);
      await ctx.record("orderUpdate");
      return { order: await orderView(ctx, input.id), userErrors: [] };
    },
    tagsAdd: async ({ id, tags }: { id: string; tags: string[] }) => {
      const kind = /gid:\/\/shopify\/(Order|Customer)\/\d+$/.exec(id)?.[1];
      if (!kind) return { node: null, userErrors: [{ field: ["id"], message: "Only orders and customers take tags here.", code: "INVALID" }] };
      if (tags.length) await redis().sadd(key(ctx.shop, `tags:${id}`), ...tags);
      if (await ctx.firstUse("tagsAdd")) await ctx.record("tagsAdd");
      return { node: { __typename: kind, id, tags: await redis().smembers(key(ctx.shop, `tags:${id}`)) }, userErrors: [] };
    },
    // Automatic discounts (markdowns on short-dated stock, decision 113): kept per shop by id; a
    // title search finds them as Shopify's discountNodes(query: "title:'...'") does.
    discountNodes: async ({ query }: { query?: string }) => {
      const title = /title:'(.*)'/.exec(query ?? "")?.[1];
      const all = Object.values(await redis().hgetall(key(ctx.shop, "discounts"))).map((d) => JSON.parse(d) as SimulatedDiscount);
      return connection(
        all.filter((d) => !title || d.title === title).map((d) => ({ id: d.id, discount: { __typename: "DiscountAutomaticBasic", title: d.title } })),
      );
    },
    discountAutomaticBasicCreate: async ({ automaticBasicDiscount }: { automaticBasicDiscount: DiscountInput }) => {
      const id = gid("DiscountAutomaticNode", String(await redis().incr(key(ctx.shop, "discount-seq"))));
      await redis().hset(key(ctx.shop, "discounts"), id, JSON.stringify(simulatedDiscount(id, automaticBasicDiscount)));
      await ctx.record("discountAutomaticBasicCreate");
      return { automaticDiscountNode: { id }, userErrors: [] };
    },
    discountAutomaticBasicUpdate: async ({ id, automaticBasicDiscount }: { id: string; automaticBasicDiscount: DiscountInput }) => {
      if (!(await redis().hexists(key(ctx.shop, "discounts"), id)))
        return { automaticDiscountNode: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }] };
      await redis().hset(key(ctx.shop, "discounts"), id, JSON.stringify(simulatedDiscount(id, automaticBasicDiscount)));
      await ctx.record("discountAutomaticBasicUpdate");
      return { automaticDiscountNode: { id }, userErrors: [] };
    },
    discountAutomaticDelete: async ({ id }: { id: string }) => {
      await redis().hdel(key(ctx.shop, "discounts"), id);
      await ctx.record("discountAutomaticDelete");
      return { deletedAutomaticDiscountId: id, userErrors: [] };
    },
    // Flow triggers (decision 109): the simulated shop has Flow; each trigger is kept, in order, for the demo to show.
    flowTriggerReceive: async ({ handle, payload }: { handle: string; payload: unknown }) => {
      if (!handle) return { userErrors: [{ field: ["handle"], message: "Handle can't be blank" }] };
      await redis().rpush(key(ctx.shop, "flow-triggers"), JSON.stringify({ handle, payload }));
      await ctx.record("flowTriggerReceive");
      return { userErrors: [] };
    },
  };
}

interface DiscountInput {
  title?: string;
  customerGets?: { value?: { percentage?: number }; items?: { products?: { productVariantsToAdd?: string[] } } };
}

export interface SimulatedDiscount {
  id: string;
  title: string;
  percentage: number | null;
  variants: string[];
}

function simulatedDiscount(id: string, input: DiscountInput): SimulatedDiscount {
  return {
    id,
    title: input.title ?? "",
    percentage: input.customerGets?.value?.percentage ?? null,
    variants: input.customerGets?.items?.products?.productVariantsToAdd ?? [],
  };
}

/** The automatic discounts of the simulated shop. */
export async function simulatedDiscounts(shop: string): Promise<SimulatedDiscount[]> {
  return Object.values(await redis().hgetall(key(shop, "discounts"))).map((d) => JSON.parse(d) as SimulatedDiscount);
}

/** The Flow triggers the app fired at the simulated shop, oldest first. */
export async function simulatedFlowTriggers(shop: string): Promise<{ handle: string; payload: unknown }[]> {
  return (await redis().lrange(key(shop, "flow-triggers"), 0, -1)).map((t) => JSON.parse(t) as { handle: string; payload: unknown });
}

interface OrderUpdateInput {
  id: string;
  customAttributes?: { key: string; value: string }[] | null;
  metafields?: { namespace?: string | null; key?: string | null; type?: string | null; value?: string | null }[] | null;
}

async function orderView(ctx: SimulatorContext, id: string) {
  const orderId = numericId(id);
  const data = await simulatedOrder(ctx.shop, orderId);
  return {
    __typename: "Order",
    id: gid("Order", orderId),
    legacyResourceId: orderId,
    customAttributes: data.customAttributes,
    tags: () => redis().smembers(key(ctx.shop, `tags:${gid("Order", orderId)}`)),
    metafield: ({ namespace, key: k }: { namespace?: string; key: string }) => {
      const found = data.metafields[`${namespace ?? "$app"}.${k}`];
      return found ? { id: gid("Metafield", orderId), namespace: namespace ?? "$app", key: k, type: found.type, value: found.value } : null;
    },
  };
}

function nodeById(ctx: SimulatorContext, id: string) {
  const type = /gid:\/\/shopify\/(\w+)\//.exec(id)?.[1];
  const withType = <T extends object | null>(node: T, typename: string) => (node ? { __typename: typename, ...node } : null);
  if (type === "Location") return withType(ctx.location(id), "Location");
  if (type === "ProductVariant") return withType(ctx.variant(ctx.catalog.variants.find((v) => v.id === numericId(id))), "ProductVariant");
  if (type === "InventoryItem") return withType(ctx.item(id), "InventoryItem");
  return null;
}

/** Shopify's checks and the leaky buckets (per shop, standard plan) of this process. */
export const simulatorGate = new ShopifyAdminGate();

/** Executes one Admin GraphQL request against the simulated store of `shop`, as Shopify's API `version` would. */
export async function executeAdminGraphql(shop: string, body: { query: string; variables?: Record<string, unknown> }, version: string = API_VERSION) {
  const admitted = simulatorGate.admit(shop, version, body);
  if (!admitted.ok) return admitted.body;
  const idempotencyKey = /@idempotent\s*\(\s*key\s*:\s*"([^"]+)"/.exec(body.query)?.[1] ?? idempotentKeyFromVariables(body);
  const ctx = new SimulatorContext(shop, await simulatedCatalog(shop), idempotencyKey);
  const result = await execute({
    schema: adminContract(version).schema,
    document: admitted.document,
    operationName: admitted.operation.name?.value,
    variableValues: body.variables,
    rootValue: { ...rootValue(ctx), ...bulkRootValue(ctx) },
    typeResolver: (value: { __typename?: string }) => value.__typename,
  });
  return {
    ...result,
    extensions: { cost: simulatorGate.settle(shop, version, admitted, (result.data as Record<string, unknown> | null | undefined) ?? null) },
  };
}

function idempotentKeyFromVariables(body: { query: string; variables?: Record<string, unknown> }): string | null {
  const variable = /@idempotent\s*\(\s*key\s*:\s*\$(\w+)/.exec(body.query)?.[1];
  const value = variable ? body.variables?.[variable] : undefined;
  return typeof value === "string" ? value : null;
}

let started = false;

/** Intercepts this process's calls to Shopify's Admin API. Refuses in production. */
export function startShopifySimulator(): void {
  if (process.env.NODE_ENV === "production") {
    throw new Error("Refusing to start the Shopify simulator: NODE_ENV is production.");
  }
  if (started) return;
  started = true;
  const server = setupServer(
    http.post("https://:shop/admin/api/:version/graphql.json", async ({ request, params }) => {
      const shop = String(params.shop);
      if (request.headers.get("x-shopify-access-token") !== PREVIEW_ACCESS_TOKEN) {
        return HttpResponse.json({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }, { status: 401 });
      }
      const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
      return HttpResponse.json(await executeAdminGraphql(shop, body, String(params.version)));
    }),
    http.get(`${BULK_RESULT_ORIGIN}/:shop/:file`, async ({ request }) => simulatedBulkResultResponse(request.url)),
  );
  // Anything else bound for Shopify fails loudly; local traffic passes.
  server.listen({
    onUnhandledRequest(request, print) {
      const host = new URL(request.url).hostname;
      if (host === "127.0.0.1" || host === "localhost" || host === "::1") return;
      print.error();
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Bulk queries (reconciliation of large stores, decision 082). bulkOperationRunQuery takes
// Shopify's snapshot at once and the operation is COMPLETED when first asked about; the result is
// JSONL as Shopify writes it (an item line, then its levels with __parentId), served at a URL this
// interceptor answers. The simulator sends no webhooks: in the demo the worker's poll
// (sweep-bulk-reconciliations) finishes the reconciliation, as it does when Shopify's
// bulk_operations/finish is lost.

const BULK_RESULT_ORIGIN = "https://bulk-results.simulator.lotkeeper.invalid";

interface SimulatedBulkOperation {
  id: string;
  query: string;
  createdAt: string;
  objects: number;
  roots: number;
}

function bulkRootValue(ctx: SimulatorContext) {
  return {
    bulkOperationRunQuery: async ({ query }: { query: string }) => {
      // Only what the app bulk-reads: inventory items with their levels' quantities.
      if (!/^\s*\{\s*inventoryItems\b/.test(query) || !/inventoryLevels\b/.test(query)) {
        return {
          bulkOperation: null,
          userErrors: [{ field: ["query"], message: "The simulator bulk-reads inventoryItems { inventoryLevels } only.", code: "INVALID" }],
        };
      }
      const number = await redis().incr(key("global", "bulk-sequence"));
      const id = gid("BulkOperation", String(number));
      const jsonl = await simulatedOnHandJsonl(ctx);
      const op: SimulatedBulkOperation = { id, query, createdAt: new Date().toISOString(), objects: jsonl.objects, roots: jsonl.roots };
      await redis().set(key(ctx.shop, `bulk:${number}`), JSON.stringify(op), "EX", 7 * 86_400);
      await redis().set(key(ctx.shop, `bulk:${number}:jsonl`), jsonl.text, "EX", 7 * 86_400);
      return { bulkOperation: { ...bulkView(ctx.shop, op), status: "CREATED", url: null }, userErrors: [] };
    },
    bulkOperation: async ({ id }: { id: string }) => {
      const raw = await redis().get(key(ctx.shop, `bulk:${numericId(id)}`)); // another shop's id is not found
      return raw ? bulkView(ctx.shop, JSON.parse(raw) as SimulatedBulkOperation) : null;
    },
  };
}

function bulkView(shop: string, op: SimulatedBulkOperation) {
  return {
    __typename: "BulkOperation",
    id: op.id,
    status: "COMPLETED",
    errorCode: null,
    objectCount: String(op.objects),
    rootObjectCount: String(op.roots),
    url: `${BULK_RESULT_ORIGIN}/${encodeURIComponent(shop)}/${numericId(op.id)}.jsonl`,
    partialDataUrl: null,
    createdAt: op.createdAt,
    completedAt: op.createdAt,
    query: op.query,
    type: "QUERY",
  };
}

/** Every item of the catalog with its on_hand at every location, as bulk JSONL. */
async function simulatedOnHandJsonl(ctx: SimulatorContext): Promise<{ text: string; objects: number; roots: number }> {
  const lines: string[] = [];
  for (const v of ctx.catalog.variants) {
    const item = gid("InventoryItem", v.inventoryItemId);
    lines.push(JSON.stringify({ id: item }));
    for (const l of ctx.catalog.locations) {
      const onHand = await simulatedQuantity(ctx.shop, v.inventoryItemId, l.id, "on_hand");
      lines.push(
        JSON.stringify({
          id: `gid://shopify/InventoryLevel/${v.inventoryItemId}?inventory_item_id=${v.inventoryItemId}&location_id=${l.id}`,
          location: { id: gid("Location", l.id) },
          quantities: [{ name: "on_hand", quantity: onHand }],
          __parentId: item,
        }),
      );
    }
  }
  return { text: lines.length ? lines.join("\n") + "\n" : "", objects: lines.length, roots: ctx.catalog.variants.length };
}

/** The answer to a GET of a simulated bulk result URL (404 for an unknown or expired one). */
export async function simulatedBulkResultResponse(url: string): Promise<Response> {
  const match = new RegExp(`^${BULK_RESULT_ORIGIN.replace(/[.]/g, "\\.")}/([^/]+)/(\\d+)\\.jsonl$`).exec(url);
  const text = match ? await redis().get(key(decodeURIComponent(match[1]!), `bulk:${match[2]}:jsonl`)) : null;
  if (text === null) return new Response("Not Found", { status: 404 });
  return new Response(text, { status: 200, headers: { "Content-Type": "application/jsonl" } });
}
