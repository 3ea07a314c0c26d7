// The one place the app talks to Shopify's Admin GraphQL API. Every query and mutation the app
// sends is defined here, so the exact operations are reviewable in one file.
//
// Authentication: the shop's offline token from app/lib/shopify-token.server.ts, refreshed through
// the library before it expires and once more when Shopify answers 401 (expiring offline tokens,
// decision 084). The request itself is a
// plain fetch so that throttling (HTTP 429, or a THROTTLED GraphQL error with
// extensions.cost.throttleStatus) and outages become typed errors the outbox can act on, instead
// of the client library's own retry loop.
import { throttleWaitMs, type QueryCost } from "../domain/sync/throttle";
import { OfflineTokenError, offlineAccessToken, replaceRejectedToken } from "./shopify-token.server";

export class ShopifyAdminError extends Error {
  override name = "ShopifyAdminError";
  /** True when asking again later may succeed (throttle, outage, expired token). */
  readonly retryable: boolean = false;
}

/** Shopify asked us to slow down. `cost` says how long the bucket needs to refill. */
export class ShopifyThrottledError extends ShopifyAdminError {
  override name = "ShopifyThrottledError";
  override readonly retryable = true;
  constructor(
    message: string,
    readonly cost?: QueryCost,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Shopify could not be reached or answered 5xx. */
export class ShopifyUnavailableError extends ShopifyAdminError {
  override name = "ShopifyUnavailableError";
  override readonly retryable = true;
}

/** No usable offline session (app not installed, token revoked): retry after the shop reinstalls. */
export class ShopifyAuthError extends ShopifyAdminError {
  override name = "ShopifyAuthError";
  override readonly retryable = true;
}

/** Shopify refused the operation itself (GraphQL error or userErrors): retrying will not help. */
export class ShopifyRejectedError extends ShopifyAdminError {
  override name = "ShopifyRejectedError";
  constructor(
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

export interface AdminResult<T> {
  data: T;
  cost?: QueryCost;
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

/** Maps the token module's failure to the error the outbox acts on (both are retried later). */
function tokenFailure(shop: string, error: unknown): ShopifyAdminError {
  if (error instanceof OfflineTokenError && error.unavailable) return new ShopifyUnavailableError(error.message);
  return new ShopifyAuthError(`no usable Shopify session for ${shop} (${(error as Error).message}); open the app in the shop's admin to reinstall it`);
}

async function postGraphql(shop: string, token: string, query: string, variables: Record<string, unknown>): Promise<Response> {
  const { API_VERSION } = await import("../shopify.server");
  try {
    return await fetch(`https://${shop}/admin/api/${API_VERSION}/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ShopifyUnavailableError(`Shopify could not be reached for ${shop}: ${(error as Error).message}`);
  }
}

/** Sends one Admin GraphQL operation for a shop. Throws a ShopifyAdminError subclass on failure. */
export async function adminGraphql<T>(shop: string, query: string, variables: Record<string, unknown> = {}): Promise<AdminResult<T>> {
  let token: string;
  try {
    token = await offlineAccessToken(shop);
  } catch (error) {
    throw tokenFailure(shop, error);
  }
  let response = await postGraphql(shop, token, query, variables);
  if (response.status === 401) {
    // The token expired or was revoked since it was read (401 means Shopify did nothing with the
    // request): refresh it once and send the same operation again. A second 401 is for the outbox
    // to retry later (uninstalled, refresh token revoked).
    try {
      token = await replaceRejectedToken(shop, token);
    } catch (error) {
      throw tokenFailure(shop, error);
    }
    response = await postGraphql(shop, token, query, variables);
  }
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get("Retry-After"));
    throw new ShopifyThrottledError(
      `Shopify throttled ${shop} (HTTP 429)`,
      undefined,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new ShopifyAuthError(`Shopify refused the access token of ${shop} (HTTP ${response.status}); the app may have been uninstalled`);
  }
  if (response.status >= 500) throw new ShopifyUnavailableError(`Shopify answered HTTP ${response.status} for ${shop}`);
  let body: { data?: T; errors?: GraphqlError[]; extensions?: { cost?: QueryCost } };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ShopifyUnavailableError(`Shopify answered HTTP ${response.status} without JSON for ${shop}`);
  }
  const cost = body.extensions?.cost;
  if (body.errors?.length) {
    if (body.errors.some((e) => e.extensions?.code === "THROTTLED")) throw new ShopifyThrottledError(`Shopify throttled ${shop} (query cost)`, cost);
    throw new ShopifyRejectedError(`Shopify refused the request: ${body.errors.map((e) => e.message).join("; ")}`, body.errors);
  }
  if (!response.ok || body.data === undefined) throw new ShopifyUnavailableError(`Shopify answered HTTP ${response.status} without data for ${shop}`);
  return { data: body.data, cost };
}

/**
 * Runs a read again while Shopify throttles it (THROTTLED, with extensions.cost.throttleStatus),
 * waiting as long as the bucket needs to hold the requested cost again at its restore rate; gives
 * up after `attempts` and lets the caller's job retry. Mutations go through the outbox instead.
 */
export async function whileThrottled<T>(read: () => Promise<T>, options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ShopifyThrottledError) || attempt >= attempts) throw error;
      await sleep(error.retryAfterMs ?? throttleWaitMs(error.cost, attempt, { maximumMs: 60_000 }));
    }
  }
}

export const gid = (type: string, id: bigint | string | number) => `gid://shopify/${type}/${id}`;

// ---------------------------------------------------------------------------------------------
// Reads

export interface ShopifyVariant {
  id: bigint;
  productId: bigint | null;
  inventoryItemId: bigint | null;
  sku: string | null;
  title: string | null;
  productTitle: string | null;
  barcode: string | null;
}

const numericId = (g: string | null | undefined) => (g ? BigInt(/(\d+)$/.exec(g)?.[1] ?? "0") : null);

export const VARIANT_QUERY = `query LotkeeperVariant($id: ID!) {
  productVariant(id: $id) { id sku title barcode product { id title } inventoryItem { id } }
}`;

/** The variant, or null when the shop has no such variant. */
export async function fetchVariant(shop: string, variantId: bigint): Promise<ShopifyVariant | null> {
  const { data } = await adminGraphql<{
    productVariant: {
      id: string;
      sku: string | null;
      title: string | null;
      barcode: string | null;
      product: { id: string; title: string } | null;
      inventoryItem: { id: string } | null;
    } | null;
  }>(shop, VARIANT_QUERY, { id: gid("ProductVariant", variantId) });
  const v = data.productVariant;
  if (!v) return null;
  return {
    id: variantId,
    productId: numericId(v.product?.id),
    inventoryItemId: numericId(v.inventoryItem?.id),
    sku: v.sku || null,
    title: v.title,
    productTitle: v.product?.title ?? null,
    barcode: v.barcode || null,
  };
}

export const SHOP_PROFILE_QUERY = `query LotkeeperShopProfile { shop { ianaTimezone currencyCode email } }`;

/** The shop's time zone (IANA, e.g. "Europe/Berlin"), currency (ISO 4217, e.g. "EUR") and owner's email. */
export async function fetchShopProfile(shop: string): Promise<{ ianaTimezone: string; currencyCode: string; email: string }> {
  const { data } = await adminGraphql<{ shop: { ianaTimezone: string; currencyCode: string; email: string } }>(shop, SHOP_PROFILE_QUERY);
  return data.shop;
}

export const LOCATION_QUERY = `query LotkeeperLocation($id: ID!) { location(id: $id) { id name isActive } }`;

/** The location's name and state, or null when the shop has no such location. */
export async function fetchLocation(shop: string, locationId: bigint): Promise<{ name: string; active: boolean } | null> {
  const { data } = await adminGraphql<{ location: { id: string; name: string; isActive: boolean } | null }>(shop, LOCATION_QUERY, {
    id: gid("Location", locationId),
  });
  return data.location ? { name: data.location.name, active: data.location.isActive } : null;
}

// Requested cost by Shopify's rules (app/lib/shopify-contract/query-cost.ts): per item 1 + the
// levels connection 2 + 25 x (level 1 + location 1 + quantities 1) = 78, so a batch of
// ON_HAND_BATCH = 10 asks for 780 of the 1,000 Shopify allows a single query. With first: 50 it
// was 153 per item, 1,530 a batch: refused on every real store. An item stocked at more than 25
// locations pages on with ON_HAND_PAGE_QUERY (1 + 2 + 50 x 3 = 153).
export const ON_HAND_QUERY = `query LotkeeperOnHand($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevels(first: 25) {
        pageInfo { hasNextPage endCursor }
        nodes { location { id name } quantities(names: ["on_hand"]) { name quantity } }
      }
    }
  }
}`;

export const ON_HAND_PAGE_QUERY = `query LotkeeperOnHandPage($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    id
    inventoryLevels(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { location { id name } quantities(names: ["on_hand"]) { name quantity } }
    }
  }
}`;

export const LEVEL_ON_HAND_QUERY = `query LotkeeperLevelOnHand($id: ID!, $locationId: ID!) {
  inventoryItem(id: $id) { id inventoryLevel(locationId: $locationId) { quantities(names: ["on_hand"]) { name quantity } } }
}`;

interface LevelsPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { location: { id: string; name?: string | null }; quantities: { name: string; quantity: number }[] }[];
}

export interface OnHand {
  inventoryItemId: bigint;
  locationId: bigint;
  locationName: string | null;
  onHand: number;
}

/** Items per nodes() call: 10 x 78 = 780 requested points, under Shopify's 1,000 per query (see ON_HAND_QUERY). */
export const ON_HAND_BATCH = 10;

/** on_hand per (inventory item, location) for up to ON_HAND_BATCH inventory items; every location, paging when an item has more than 25. */
export async function fetchOnHand(shop: string, inventoryItemIds: bigint[]): Promise<OnHand[]> {
  if (inventoryItemIds.length === 0) return [];
  if (inventoryItemIds.length > ON_HAND_BATCH) throw new RangeError(`fetchOnHand takes at most ${ON_HAND_BATCH} items`);
  const { data } = await whileThrottled(() =>
    adminGraphql<{ nodes: ({ id: string; inventoryLevels: LevelsPage } | null)[] }>(shop, ON_HAND_QUERY, {
      ids: inventoryItemIds.map((id) => gid("InventoryItem", id)),
    }),
  );
  const out: OnHand[] = [];
  const collect = (itemId: bigint, page: LevelsPage) => {
    for (const level of page.nodes) {
      out.push({
        inventoryItemId: itemId,
        locationId: numericId(level.location.id)!,
        locationName: level.location.name ?? null,
        onHand: level.quantities.find((q) => q.name === "on_hand")?.quantity ?? 0,
      });
    }
  };
  for (const node of data.nodes) {
    if (!node?.inventoryLevels) continue;
    const itemId = numericId(node.id)!;
    collect(itemId, node.inventoryLevels);
    let page = node.inventoryLevels;
    while (page.pageInfo.hasNextPage) {
      const next = await whileThrottled(() =>
        adminGraphql<{ inventoryItem: { inventoryLevels: LevelsPage } | null }>(shop, ON_HAND_PAGE_QUERY, { id: node.id, after: page.pageInfo.endCursor }),
      );
      if (!next.data.inventoryItem) break;
      page = next.data.inventoryItem.inventoryLevels;
      collect(itemId, page);
    }
  }
  return out;
}

/** on_hand of one item at one location (0 when the item is not stocked there). */
export async function fetchLevelOnHand(shop: string, inventoryItemId: bigint, locationId: bigint): Promise<number> {
  const { data } = await whileThrottled(() =>
    adminGraphql<{ inventoryItem: { inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null }>(shop, LEVEL_ON_HAND_QUERY, {
      id: gid("InventoryItem", inventoryItemId),
      locationId: gid("Location", locationId),
    }),
  );
  return data.inventoryItem?.inventoryLevel?.quantities.find((q) => q.name === "on_hand")?.quantity ?? 0;
}

// Where Shopify will fulfil each order line (decision 101). Requested cost by Shopify's rules:
// order 1 + the connection 2 + 5 x (fulfillment order 1 + assignedLocation 1 + location 1 +
// lineItems 2 + 25 x (line 1 + lineItem 1)) = 278; Shopify refunds the difference to what it
// returns (an order of 2 lines at one location costs about 9). Most orders have one to three
// fulfillment orders of a few lines: an order with more pages on with the same document ($after),
// a fulfillment order of more than 25 lines with FULFILLMENT_ORDER_LINES_QUERY (1 + 2 + 100 x 2 =
// 203). Closed and moved-away fulfillment orders are read too (displayable: false, the default):
// that is how a stored one learns it was closed by a move or a merge.
export const FULFILLMENT_ORDERS_QUERY = `query LotkeeperFulfillmentOrders($id: ID!, $after: String) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        status
        updatedAt
        assignedLocation { location { id } }
        lineItems(first: 25) {
          pageInfo { hasNextPage endCursor }
          nodes { id totalQuantity remainingQuantity lineItem { id } }
        }
      }
    }
  }
}`;

export const FULFILLMENT_ORDER_LINES_QUERY = `query LotkeeperFulfillmentOrderLines($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) {
    id
    lineItems(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id totalQuantity remainingQuantity lineItem { id } }
    }
  }
}`;

/** fulfillment_orders/* payloads name the fulfillment order only: this finds its order (1 point). */
export const FULFILLMENT_ORDER_ORDER_QUERY = `query LotkeeperFulfillmentOrderOrder($id: ID!) { fulfillmentOrder(id: $id) { id orderId } }`;

export type FulfillmentOrderStatus = "OPEN" | "IN_PROGRESS" | "ON_HOLD" | "SCHEDULED" | "INCOMPLETE" | "CLOSED" | "CANCELLED";

export interface ShopifyFulfillmentOrder {
  id: bigint;
  orderId: bigint;
  /** null when Shopify names no location (the location was deleted since). */
  assignedLocationId: bigint | null;
  status: FulfillmentOrderStatus;
  updatedAt: Date;
  lines: { id: bigint; lineItemId: bigint; totalQuantity: number; remainingQuantity: number }[];
}

interface FulfillmentOrderLinesPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string; totalQuantity: number; remainingQuantity: number; lineItem: { id: string } }[];
}
interface FulfillmentOrderNode {
  id: string;
  status: FulfillmentOrderStatus;
  updatedAt: string;
  assignedLocation: { location: { id: string } | null };
  lineItems: FulfillmentOrderLinesPage;
}

/**
 * Every fulfillment order of the order (open, closed and moved-away ones), each with all its lines;
 * null when the shop has no such order (deleted, another shop's id, or older than the 60 days
 * readable without read_all_orders).
 */
export async function fetchFulfillmentOrders(shop: string, orderId: bigint): Promise<ShopifyFulfillmentOrder[] | null> {
  const out: ShopifyFulfillmentOrder[] = [];
  let after: string | null = null;
  do {
    const { data } = await whileThrottled(() =>
      adminGraphql<{
        order: { id: string; fulfillmentOrders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: FulfillmentOrderNode[] } } | null;
      }>(shop, FULFILLMENT_ORDERS_QUERY, { id: gid("Order", orderId), after }),
    );
    if (!data.order) return null;
    for (const node of data.order.fulfillmentOrders.nodes) {
      const lines = [...node.lineItems.nodes];
      let page = node.lineItems;
      while (page.pageInfo.hasNextPage) {
        const next = await whileThrottled(() =>
          adminGraphql<{ fulfillmentOrder: { lineItems: FulfillmentOrderLinesPage } | null }>(shop, FULFILLMENT_ORDER_LINES_QUERY, {
            id: node.id,
            after: page.pageInfo.endCursor,
          }),
        );
        if (!next.data.fulfillmentOrder) break;
        page = next.data.fulfillmentOrder.lineItems;
        lines.push(...page.nodes);
      }
      out.push({
        id: numericId(node.id)!,
        orderId,
        assignedLocationId: numericId(node.assignedLocation.location?.id),
        status: node.status,
        updatedAt: new Date(node.updatedAt),
        lines: lines.map((l) => ({
          id: numericId(l.id)!,
          lineItemId: numericId(l.lineItem.id)!,
          totalQuantity: l.totalQuantity,
          remainingQuantity: l.remainingQuantity,
        })),
      });
    }
    after = data.order.fulfillmentOrders.pageInfo.hasNextPage ? data.order.fulfillmentOrders.pageInfo.endCursor : null;
  } while (after);
  return out;
}

/** The order a fulfillment order belongs to, or null when the shop has no such fulfillment order (or no access to it). */
export async function fetchFulfillmentOrderOrderId(shop: string, fulfillmentOrderId: bigint): Promise<bigint | null> {
  const { data } = await whileThrottled(() =>
    adminGraphql<{ fulfillmentOrder: { id: string; orderId: string } | null }>(shop, FULFILLMENT_ORDER_ORDER_QUERY, {
      id: gid("FulfillmentOrder", fulfillmentOrderId),
    }),
  );
  return data.fulfillmentOrder ? numericId(data.fulfillmentOrder.orderId) : null;
}

// ---------------------------------------------------------------------------------------------
// Mutations (sent by the outbox only; see app/domain/sync/)

export const INVENTORY_ADJUST_MUTATION = `mutation LotkeeperInventoryAdjust($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri }
    userErrors { field message code }
  }
}`;

export const INVENTORY_MOVE_MUTATION = `mutation LotkeeperInventoryMove($input: InventoryMoveQuantitiesInput!, $idempotencyKey: String!) {
  inventoryMoveQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri }
    userErrors { field message code }
  }
}`;

export const TAGS_ADD_MUTATION = `mutation LotkeeperTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

/**
 * The order's note attributes and the app's lots metafield, read before writing them back
 * (app/domain/writeback/): orderUpdate(customAttributes) replaces every attribute, so the
 * merchant's own are read first and sent back with ours.
 */
// Markdowns on short-dated stock (decision 113): one automatic basic discount per variant, found
// again by its title when a create's answer was lost.
export const MARKDOWN_FIND_QUERY = `query LotkeeperMarkdownFind($query: String!) {
  discountNodes(first: 10, query: $query) { nodes { id discount { ... on DiscountAutomaticBasic { title } } } }
}`;
export const MARKDOWN_CREATE_MUTATION = `mutation LotkeeperMarkdownCreate($automaticBasicDiscount: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicCreate(automaticBasicDiscount: $automaticBasicDiscount) { automaticDiscountNode { id } userErrors { field message code } }
}`;
export const MARKDOWN_UPDATE_MUTATION = `mutation LotkeeperMarkdownUpdate($id: ID!, $automaticBasicDiscount: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: $automaticBasicDiscount) { automaticDiscountNode { id } userErrors { field message code } }
}`;
export const MARKDOWN_DELETE_MUTATION = `mutation LotkeeperMarkdownDelete($id: ID!) {
  discountAutomaticDelete(id: $id) { deletedAutomaticDiscountId userErrors { field message code } }
}`;

export const ORDER_LOTS_QUERY = `query LotkeeperOrderLots($id: ID!, $namespace: String!, $key: String!) {
  order(id: $id) { id customAttributes { key value } metafield(namespace: $namespace, key: $key) { value } }
}`;

/** Writes the lots metafield and the attributes in one call (both or neither). Setting the same values again changes nothing. */
export const ORDER_LOTS_UPDATE_MUTATION = `mutation LotkeeperOrderLotsUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}`;

/** Starts the merchant's workflows that begin with the app's trigger `handle` (Flow triggers, decision 109). Not idempotent on Shopify's side. */
export const FLOW_TRIGGER_RECEIVE_MUTATION = `mutation LotkeeperFlowTriggerReceive($handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
}`;

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

/** Runs a mutation and turns userErrors into ShopifyRejectedError. Returns the payload and the cost. */
export async function adminMutation<P extends { userErrors: UserError[] }>(
  shop: string,
  mutation: string,
  field: string,
  variables: Record<string, unknown>,
): Promise<AdminResult<P>> {
  const result = await adminGraphql<Record<string, P | null>>(shop, mutation, variables);
  const payload = result.data[field];
  if (!payload) throw new ShopifyRejectedError(`Shopify returned no ${field} payload`, result.data);
  if (payload.userErrors.length > 0) {
    throw new ShopifyRejectedError(
      `Shopify refused ${field}: ${payload.userErrors.map((e) => `${e.field?.join(".") ?? ""} ${e.message}`.trim()).join("; ")}`,
      payload.userErrors,
    );
  }
  return { data: payload, cost: result.cost };
}

// ---------------------------------------------------------------------------------------------
// Bulk operations (full reconciliation of large stores; decision 082)
//
// One bulkOperationRunQuery reads on_hand of every inventory level of the shop; Shopify runs it in
// the background, sends bulk_operations/finish, and serves the result as JSONL at a signed URL
// (valid 7 days). Nested connections come as separate lines: an InventoryItem line, then its
// levels with "__parentId" (groupObjects: false, the 2026-10 default).

/** The query Shopify runs in bulk. Two connections, nesting depth two (Shopify allows five / two). */
export const BULK_ON_HAND_QUERY = `{
  inventoryItems {
    edges {
      node {
        id
        inventoryLevels {
          edges { node { id location { id } quantities(names: ["on_hand"]) { name quantity } } }
        }
      }
    }
  }
}`;

export const BULK_ON_HAND_START_MUTATION = `mutation LotkeeperBulkOnHandStart($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_QUERY = `query LotkeeperBulkOperation($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl completedAt }
}`;

/** Shopify runs as many bulk queries of the app and shop as it allows (LIMIT_REACHED, OPERATION_IN_PROGRESS): ask again later. */
export class ShopifyBulkBusyError extends ShopifyAdminError {
  override name = "ShopifyBulkBusyError";
  override readonly retryable = true;
}

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperationView {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  objectCount: string | null;
  url: string | null;
  partialDataUrl: string | null;
}

/** Submits the on_hand bulk query. Returns Shopify's operation (id gid://shopify/BulkOperation/<n>). */
export async function startBulkOnHand(shop: string): Promise<{ id: string; status: BulkOperationStatus }> {
  const { data } = await adminGraphql<{
    bulkOperationRunQuery: { bulkOperation: { id: string; status: BulkOperationStatus } | null; userErrors: UserError[] } | null;
  }>(shop, BULK_ON_HAND_START_MUTATION, { query: BULK_ON_HAND_QUERY });
  const payload = data.bulkOperationRunQuery;
  const errors = payload?.userErrors ?? [];
  if (errors.some((e) => e.code === "LIMIT_REACHED" || e.code === "OPERATION_IN_PROGRESS")) {
    throw new ShopifyBulkBusyError(`Shopify runs no more bulk queries for ${shop} now: ${errors.map((e) => e.message).join("; ")}`);
  }
  if (errors.length > 0 || !payload?.bulkOperation) {
    throw new ShopifyRejectedError(`Shopify refused bulkOperationRunQuery: ${errors.map((e) => e.message).join("; ") || "no bulk operation returned"}`, errors);
  }
  return payload.bulkOperation;
}

/** The operation's state; null when the shop has no such operation (another shop's id, say). */
export async function fetchBulkOperation(shop: string, operationId: string): Promise<BulkOperationView | null> {
  const { data } = await adminGraphql<{ bulkOperation: BulkOperationView | null }>(shop, BULK_OPERATION_QUERY, { id: operationId });
  return data.bulkOperation;
}

/**
 * on_hand per level from the JSONL result, read as a stream line by line (a 50,000-level result
 * is never held in memory). Item lines carry no level and are skipped; a level line's item is its
 * "__parentId". A line that is not the shape asked for fails the read.
 */
export async function* bulkOnHandLevels(url: string): AsyncGenerator<OnHand> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
  } catch (error) {
    throw new ShopifyUnavailableError(`the bulk result could not be downloaded: ${(error as Error).message}`);
  }
  if (response.status >= 500) throw new ShopifyUnavailableError(`the bulk result answered HTTP ${response.status}`);
  if (!response.ok || !response.body)
    throw new ShopifyRejectedError(`the bulk result answered HTTP ${response.status} (expired after 7 days?)`, { status: response.status });
  const { Readable } = await import("node:stream");
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n += 1;
      if (line.trim() === "") continue;
      const level = parseBulkOnHandLine(line, n);
      if (level) yield level;
    }
  } catch (error) {
    if (error instanceof ShopifyAdminError) throw error;
    throw new ShopifyUnavailableError(`the bulk result download broke off after line ${n}: ${(error as Error).message}`);
  }
}

/** One JSONL line of BULK_ON_HAND_QUERY: a level (with __parentId) or null for an item line. */
export function parseBulkOnHandLine(line: string, lineNumber = 1): OnHand | null {
  let row: { id?: unknown; __parentId?: unknown; location?: { id?: unknown }; quantities?: { name?: unknown; quantity?: unknown }[] };
  try {
    row = JSON.parse(line) as typeof row;
  } catch {
    throw new ShopifyRejectedError(`line ${lineNumber} of the bulk result is not JSON`, { line: line.slice(0, 200) });
  }
  if (row.__parentId === undefined) return null;
  const item = typeof row.__parentId === "string" ? /^gid:\/\/shopify\/InventoryItem\/(\d+)$/.exec(row.__parentId)?.[1] : undefined;
  const location = typeof row.location?.id === "string" ? /^gid:\/\/shopify\/Location\/(\d+)$/.exec(row.location.id)?.[1] : undefined;
  const onHand = row.quantities?.find((q) => q.name === "on_hand")?.quantity;
  if (!item || !location || (onHand !== undefined && !Number.isInteger(onHand))) {
    throw new ShopifyRejectedError(`line ${lineNumber} of the bulk result is not an inventory level of an item`, { line: line.slice(0, 200) });
  }
  return { inventoryItemId: BigInt(item), locationId: BigInt(location), locationName: null, onHand: (onHand as number | undefined) ?? 0 };
}
