// Small test factories that insert rows directly (variants, lots with a receipt, orders with the
// customer snapshot, allocations as the allocation worker would leave them). Every factory takes
// the shop id; ids are unique per call so tests in one shop never collide. Quantities move
// through moveLotUnits so balances and the ledger stay consistent with what the app does.
import { withTransaction } from "../../app/lib/sql.server";
import { moveLotUnits, type LotMovement } from "../../app/domain/ledger/ledger.server";
import { pool } from "../../app/db.server";

let nextId = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
/** A fresh positive id (Shopify-like, above 2^53 now and then to catch number conversions). */
export function newId(): bigint {
  nextId += 1n;
  return nextId;
}

export async function createVariant(
  shopId: number,
  attrs: { id?: bigint; sku?: string; title?: string; productTitle?: string; barcode?: string | null; lotTracked?: boolean } = {},
): Promise<bigint> {
  const id = attrs.id ?? newId();
  await pool().query(
    `insert into variants (shop_id, id, product_id, sku, title, product_title, barcode, lot_tracked, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, now()) on conflict do nothing`,
    [
      shopId,
      id,
      newId(),
      attrs.sku ?? `SKU-${id}`,
      attrs.title ?? "Default",
      attrs.productTitle ?? `Product ${id}`,
      attrs.barcode ?? null,
      attrs.lotTracked ?? true,
    ],
  );
  return id;
}

export async function createLocation(shopId: number, attrs: { id?: bigint; name?: string } = {}): Promise<bigint> {
  const id = attrs.id ?? newId();
  await pool().query(`insert into locations (shop_id, id, name) values ($1, $2, $3) on conflict do nothing`, [shopId, id, attrs.name ?? `Location ${id}`]);
  return id;
}

export interface LotAttrs {
  variantId: bigint;
  lotNumber: string;
  /** Units received at `locationId` (a RECEIVED ledger entry). 0 creates the lot only. */
  quantity?: number;
  locationId?: bigint;
  expiresOn?: string | null;
  bestBeforeOn?: string | null;
  producedOn?: string | null;
  receivedAt?: Date;
  supplier?: string | null;
  supplierLot?: string | null;
  purchaseOrder?: string | null;
  gtin?: string | null;
  status?: "ACTIVE" | "QUARANTINED" | "RECALLED";
}

export async function createLot(shopId: number, attrs: LotAttrs): Promise<bigint> {
  return withTransaction(async (sql) => {
    const inserted = await sql.query<{ id: bigint }>(
      `insert into lots (shop_id, variant_id, lot_number, status, expires_on, best_before_on, produced_on, received_at,
                         supplier, supplier_lot, purchase_order, gtin, updated_at)
       values ($1, $2, $3, $4::"LotStatus", $5, $6, $7, $8, $9, $10, $11, $12, now()) returning id`,
      [
        shopId,
        attrs.variantId,
        attrs.lotNumber,
        attrs.status ?? "ACTIVE",
        attrs.expiresOn ?? null,
        attrs.bestBeforeOn ?? null,
        attrs.producedOn ?? null,
        attrs.receivedAt ?? new Date(),
        attrs.supplier ?? null,
        attrs.supplierLot ?? null,
        attrs.purchaseOrder ?? null,
        attrs.gtin ?? null,
      ],
    );
    const lotId = inserted.rows[0]!.id;
    if (attrs.quantity && attrs.quantity > 0) {
      if (attrs.locationId === undefined) throw new Error("createLot: locationId is required with a quantity");
      await moveLotUnits(sql, [{ shopId, lotId, locationId: attrs.locationId, delta: attrs.quantity, kind: "RECEIVED", cause: "USER", causeRef: "test" }]);
      if (attrs.receivedAt) {
        await sql.query(`update ledger_entries set created_at = $2 where lot_id = $1 and kind = 'RECEIVED'`, [lotId, attrs.receivedAt]);
      }
    }
    return lotId;
  });
}

export interface OrderAttrs {
  id?: bigint;
  name?: string;
  customerId?: bigint | null;
  customerName?: string | null;
  customerEmail?: string | null;
  customerPhone?: string | null;
  email?: string | null;
  shippingAddress?: Record<string, unknown> | null;
  redacted?: boolean;
  lines: { id?: bigint; variantId: bigint; quantity: number; title?: string; sku?: string }[];
}

export interface CreatedOrder {
  id: bigint;
  lineIds: bigint[];
}

export async function createOrder(shopId: number, attrs: OrderAttrs): Promise<CreatedOrder> {
  const id = attrs.id ?? newId();
  const lineIds = attrs.lines.map((l) => l.id ?? newId());
  await withTransaction(async (sql) => {
    await sql.query(
      `insert into orders (shop_id, id, name, email, customer_id, customer_name, customer_email, customer_phone, shipping_address,
                           redacted, shopify_created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())`,
      [
        shopId,
        id,
        attrs.name ?? `#${String(id).slice(-5)}`,
        attrs.email ?? attrs.customerEmail ?? null,
        attrs.customerId ?? null,
        attrs.customerName ?? null,
        attrs.customerEmail ?? null,
        attrs.customerPhone ?? null,
        attrs.shippingAddress ? JSON.stringify(attrs.shippingAddress) : null,
        attrs.redacted ?? false,
      ],
    );
    for (const [i, line] of attrs.lines.entries()) {
      await sql.query(`insert into order_lines (shop_id, id, order_id, variant_id, sku, title, quantity) values ($1, $2, $3, $4, $5, $6, $7)`, [
        shopId,
        lineIds[i],
        id,
        line.variantId,
        line.sku ?? null,
        line.title ?? null,
        line.quantity,
      ]);
    }
  });
  return { id, lineIds };
}

export interface AllocationAttrs {
  orderId: bigint;
  lineItemId: bigint;
  variantId: bigint;
  /** null: the explicit unknown-lot record. */
  lotId: bigint | null;
  locationId: bigint;
  quantity: number;
  customerId?: bigint | null;
  fulfillmentId?: bigint;
  fulfilledAt?: Date;
  returnedQuantity?: number;
  returnedAt?: Date;
  status?: "ALLOCATED" | "REVERSED";
}

/**
 * An allocation as the allocation worker leaves it: fulfilment and fulfilment line rows, the
 * allocation, the lot balance decremented with an ALLOCATED ledger entry, and (if returnedQuantity)
 * an allocation_returns row with the units put back (RETURNED).
 */
export async function createAllocation(shopId: number, attrs: AllocationAttrs): Promise<bigint> {
  const fulfillmentId = attrs.fulfillmentId ?? newId();
  const fulfilledAt = attrs.fulfilledAt ?? new Date();
  return withTransaction(async (sql) => {
    await sql.query(
      `insert into fulfillments (shop_id, id, order_id, location_id, status, name, shopify_created_at, updated_at)
       values ($1, $2, $3, $4, 'success', $5, $6, now()) on conflict do nothing`,
      [shopId, fulfillmentId, attrs.orderId, attrs.locationId, `F-${String(fulfillmentId).slice(-4)}`, fulfilledAt],
    );
    await sql.query(
      `insert into fulfillment_lines (shop_id, fulfillment_id, line_item_id, variant_id, quantity, state, updated_at)
       values ($1, $2, $3, $4, $5, 'ALLOCATED', now())
       on conflict (shop_id, fulfillment_id, line_item_id) do update set quantity = fulfillment_lines.quantity + excluded.quantity`,
      [shopId, fulfillmentId, attrs.lineItemId, attrs.variantId, attrs.quantity],
    );
    const inserted = await sql.query<{ id: bigint }>(
      // customer_key as the app copies it from the order (orders.customer_key); the customer id
      // given here wins, and an allocation without an order row is keyed by order like a stub.
      `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, lot_id, unknown_lot,
                                location_id, quantity, returned_quantity, status, fulfilled_at, updated_at)
       values ($1, $2, $3, $4, $5, $6,
               coalesce($6::bigint::text, (select o.customer_key from orders o where o.shop_id = $1 and o.id = $4), 'order:' || $4::bigint),
               $7, $8, $9, $10, $11, $12::"AllocationStatus", $13, now()) returning id`,
      [
        shopId,
        fulfillmentId,
        attrs.lineItemId,
        attrs.orderId,
        attrs.variantId,
        attrs.customerId ?? null,
        attrs.lotId,
        attrs.lotId === null,
        attrs.locationId,
        attrs.quantity,
        attrs.returnedQuantity ?? 0,
        attrs.status ?? "ALLOCATED",
        fulfilledAt,
      ],
    );
    const allocationId = inserted.rows[0]!.id;
    if (attrs.lotId !== null && (attrs.status ?? "ALLOCATED") === "ALLOCATED") {
      const movements: LotMovement[] = [
        {
          shopId,
          lotId: attrs.lotId,
          locationId: attrs.locationId,
          delta: -attrs.quantity,
          kind: "ALLOCATED",
          cause: "WEBHOOK",
          causeRef: String(allocationId),
        },
      ];
      if (attrs.returnedQuantity) {
        movements.push({
          shopId,
          lotId: attrs.lotId,
          locationId: attrs.locationId,
          delta: attrs.returnedQuantity,
          kind: "RETURNED",
          cause: "WEBHOOK",
          causeRef: String(allocationId),
        });
      }
      await moveLotUnits(sql, movements);
    }
    if (attrs.returnedQuantity) {
      await sql.query(
        `insert into allocation_returns (shop_id, allocation_id, refund_id, refund_line_id, location_id, quantity, returned_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [shopId, allocationId, newId(), newId(), attrs.locationId, attrs.returnedQuantity, attrs.returnedAt ?? new Date()],
      );
    }
    return allocationId;
  });
}

/** An order with one line, shipped at once from one lot (or the unknown lot): the common case. */
export async function shipToCustomer(
  shopId: number,
  attrs: Omit<OrderAttrs, "lines"> & {
    variantId: bigint;
    lotId: bigint | null;
    locationId: bigint;
    quantity: number;
    returnedQuantity?: number;
    returnedAt?: Date;
    fulfilledAt?: Date;
    fulfillmentId?: bigint;
  },
): Promise<{ orderId: bigint; lineItemId: bigint; allocationId: bigint }> {
  const order = await createOrder(shopId, { ...attrs, lines: [{ variantId: attrs.variantId, quantity: attrs.quantity }] });
  const allocationId = await createAllocation(shopId, {
    orderId: order.id,
    lineItemId: order.lineIds[0]!,
    variantId: attrs.variantId,
    lotId: attrs.lotId,
    locationId: attrs.locationId,
    quantity: attrs.quantity,
    customerId: attrs.customerId ?? null,
    returnedQuantity: attrs.returnedQuantity,
    returnedAt: attrs.returnedAt,
    fulfilledAt: attrs.fulfilledAt,
    fulfillmentId: attrs.fulfillmentId,
  });
  return { orderId: order.id, lineItemId: order.lineIds[0]!, allocationId };
}
