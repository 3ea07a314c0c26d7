// Which domain handler processes each webhook topic (REST form, as in shopify.app.toml).
// A subscribed topic without a handler yet is recorded and marked DEFERRED, never dropped.
import type { TopicHandler } from "./handler";
import { recordOrderFromWebhook } from "../orders/orders.server";
import { markInventoryItemDeleted, markProductDeleted, recordInventoryItem, recordLocation, recordProductFromWebhook } from "../catalog/catalog.server";
import { markShopUninstalled, recordShopScopes } from "../shops/shop-lifecycle.server";
import { eraseShopFromWebhook, recordDataRequest, redactCustomerFromWebhook } from "../privacy/privacy.server";
import { allocateFulfilmentFromWebhook, allocateOrderFulfilments, applyRefundFromWebhook } from "../allocation/webhook-handlers.server";
import { reconcileOnInventoryLevelUpdate } from "../reconcile/inventory-level-webhook.server";
import { recordBulkOperationFinish } from "../reconcile/bulk-reconcile.server";
import { reserveOrderFromWebhook } from "../reservations/webhook-handlers.server";
import { queueFulfillmentOrdersOfOrder, queueFulfillmentOrdersOfWebhook } from "../fulfillment-orders/fulfillment-orders.server";

export const SUBSCRIBED_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/fulfilled",
  "fulfillments/create",
  "fulfillments/update",
  "refunds/create",
  "inventory_levels/update",
  "inventory_items/create",
  "inventory_items/update",
  "inventory_items/delete",
  "products/create",
  "products/update",
  "products/delete",
  "locations/create",
  "locations/update",
  "bulk_operations/finish",
  "fulfillment_orders/order_routing_complete",
  "fulfillment_orders/moved",
  "fulfillment_orders/split",
  "fulfillment_orders/merged",
  "fulfillment_orders/cancelled",
  "fulfillment_orders/hold_released",
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;

export type Topic = (typeof SUBSCRIBED_TOPICS)[number];

/**
 * Handlers run in the listed order inside one transaction. A topic may have several (orders/updated
 * both refreshes the order and allocates the fulfilments it carries). Each capability adds its own,
 * e.g. `"orders/create": [recordOrder, allocateOrderFulfilments]`.
 */
export const topicHandlers: Partial<Record<Topic, TopicHandler[]>> = {
  "orders/create": [recordOrderFromWebhook, allocateOrderFulfilments, reserveOrderFromWebhook, queueFulfillmentOrdersOfOrder],
  "orders/updated": [recordOrderFromWebhook, allocateOrderFulfilments, reserveOrderFromWebhook],
  "orders/fulfilled": [recordOrderFromWebhook, allocateOrderFulfilments],
  "fulfillments/create": [allocateFulfilmentFromWebhook],
  "fulfillments/update": [allocateFulfilmentFromWebhook],
  "refunds/create": [applyRefundFromWebhook],
  "orders/cancelled": [recordOrderFromWebhook, allocateOrderFulfilments, reserveOrderFromWebhook],
  "products/create": [recordProductFromWebhook],
  "products/update": [recordProductFromWebhook],
  "products/delete": [markProductDeleted],
  "inventory_levels/update": [reconcileOnInventoryLevelUpdate],
  "inventory_items/create": [recordInventoryItem],
  "inventory_items/update": [recordInventoryItem],
  "inventory_items/delete": [markInventoryItemDeleted],
  "locations/create": [recordLocation],
  "locations/update": [recordLocation],
  "bulk_operations/finish": [recordBulkOperationFinish],
  "fulfillment_orders/order_routing_complete": [queueFulfillmentOrdersOfWebhook],
  "fulfillment_orders/moved": [queueFulfillmentOrdersOfWebhook],
  "fulfillment_orders/split": [queueFulfillmentOrdersOfWebhook],
  "fulfillment_orders/merged": [queueFulfillmentOrdersOfWebhook],
  "fulfillment_orders/cancelled": [queueFulfillmentOrdersOfWebhook],
  "fulfillment_orders/hold_released": [queueFulfillmentOrdersOfWebhook],
  "app/uninstalled": [markShopUninstalled],
  "app/scopes_update": [recordShopScopes],
  "customers/redact": [redactCustomerFromWebhook],
  "customers/data_request": [recordDataRequest],
  "shop/redact": [eraseShopFromWebhook],
};

export function isSubscribedTopic(topic: string): topic is Topic {
  return (SUBSCRIBED_TOPICS as readonly string[]).includes(topic);
}
