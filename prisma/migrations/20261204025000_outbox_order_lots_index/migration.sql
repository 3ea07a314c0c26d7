-- The lots written back on an order (docs/decisions/102-lots-on-the-order.md): every change to an
-- order's allocations looks for the order's pending write-back row to join, inside the allocation's
-- transaction, and the sender looks for an older pending one of the same order. A shop in the middle
-- of a recall has 100,000 pending tags.add rows, and this partial index finds the order's row
-- without reading them. Partial and expression indexes cannot be written in schema.prisma, so this
-- migration is written by hand and migrate diff between schema files ignores it.
-- (No semicolons in these comments: the migration runner splits statements on them.)
CREATE INDEX "outbox_entries_order_lots_idx" ON "outbox_entries" ("shop_id", ("payload"->>'orderId'), "id")
  WHERE "kind" = 'order.lots' AND "status" = 'PENDING';
