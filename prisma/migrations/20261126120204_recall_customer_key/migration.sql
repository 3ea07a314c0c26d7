-- The recall customer key (docs/decisions/040-recall-queries.md) stored, so a page of guests is an
-- index range scan instead of computing the key of every guest allocation of the lots.
-- orders.customer_key is THE definition of the key: a generated column, so every write of the
-- customer snapshot (orders/* webhooks, customers/redact, the order stub a fulfilment creates)
-- recomputes it. The customer id when there is one, else the lowercased email unless the order
-- is redacted, else the order id. Prisma cannot express generated columns, so this part of the
-- migration is written by hand (schema.prisma declares the column as a plain optional text).
-- (No semicolons in these comments: the migration runner splits statements on them.)
ALTER TABLE "orders" ADD COLUMN "customer_key" TEXT GENERATED ALWAYS AS (
  CASE
    WHEN "customer_id" IS NOT NULL THEN "customer_id"::text
    WHEN NOT "redacted" AND COALESCE("customer_email", "email") IS NOT NULL THEN 'email:' || lower(COALESCE("customer_email", "email"))
    ELSE 'order:' || "id"::text
  END
) STORED;

-- allocations.customer_key is the order's key, copied wherever customer_id is copied (allocation,
-- recordOrder linking an order that arrives after its fulfilment, customers/redact, moves).
-- Existing rows take it from their order. An allocation always has an order row (the order lock
-- creates a stub), the fallback only covers rows written before that rule.
ALTER TABLE "allocations" ADD COLUMN "customer_key" TEXT;

UPDATE "allocations" a SET "customer_key" = o."customer_key"
  FROM "orders" o WHERE o."shop_id" = a."shop_id" AND o."id" = a."order_id";

UPDATE "allocations" SET "customer_key" = COALESCE("customer_id"::text, 'order:' || "order_id"::text) WHERE "customer_key" IS NULL;

ALTER TABLE "allocations" ALTER COLUMN "customer_key" SET NOT NULL;

-- Guest pages of a recall: per lot, the live allocations without a customer id in key order.
-- Partial (Prisma cannot write those): customers with an id use allocations(shop_id, lot_id,
-- customer_id), so this index holds only guest rows and costs nothing on most allocations.
CREATE INDEX "allocations_guest_key_idx" ON "allocations" ("shop_id", "lot_id", "customer_key")
  WHERE "customer_id" IS NULL AND "status" = 'ALLOCATED';
