-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AllocationStrategy" AS ENUM ('FEFO', 'FIFO', 'LIFO', 'MANUAL');

-- CreateEnum
CREATE TYPE "LotStatus" AS ENUM ('ACTIVE', 'QUARANTINED', 'RECALLED');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('RECEIVED', 'ALLOCATED', 'ALLOCATION_REVERSED', 'ALLOCATION_MOVED', 'RETURNED', 'ADJUSTED', 'COUNTED', 'TRANSFERRED', 'QUARANTINED', 'RELEASED', 'CONSUMED', 'PRODUCED', 'RECONCILED');

-- CreateEnum
CREATE TYPE "LedgerCause" AS ENUM ('WEBHOOK', 'USER', 'JOB', 'CLI');

-- CreateEnum
CREATE TYPE "FulfillmentLineState" AS ENUM ('PENDING', 'ALLOCATED', 'REVERSED', 'SKIPPED');

-- CreateEnum
CREATE TYPE "AllocationStatus" AS ENUM ('ALLOCATED', 'REVERSED');

-- CreateEnum
CREATE TYPE "WebhookStatus" AS ENUM ('PENDING', 'PROCESSED', 'FAILED', 'DEFERRED');

-- CreateEnum
CREATE TYPE "ProductionKind" AS ENUM ('KIT', 'ASSEMBLY', 'REPACK');

-- CreateEnum
CREATE TYPE "RecallSeverity" AS ENUM ('CLASS_I', 'CLASS_II', 'CLASS_III');

-- CreateEnum
CREATE TYPE "RecallStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateEnum
CREATE TYPE "ContactStatus" AS ENUM ('TO_CONTACT', 'CONTACTED', 'RETURNED', 'DESTROYED');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateEnum
CREATE TYPE "DiscrepancyStatus" AS ENUM ('OPEN', 'RESOLVED');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('RUNNING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shops" (
    "id" SERIAL NOT NULL,
    "domain" TEXT NOT NULL,
    "installed" BOOLEAN NOT NULL DEFAULT true,
    "installed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalled_at" TIMESTAMP(3),
    "scopes" TEXT,
    "allocation_strategy" "AllocationStrategy" NOT NULL DEFAULT 'FEFO',
    "min_shelf_life_days" INTEGER NOT NULL DEFAULT 0,
    "auto_lot_pattern" TEXT NOT NULL DEFAULT '{YYYYMMDD}-{PO}-{SEQ}',
    "currency" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "shops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auto_lot_counters" (
    "shop_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "auto_lot_counters_pkey" PRIMARY KEY ("shop_id","key")
);

-- CreateTable
CREATE TABLE "variants" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "product_id" BIGINT,
    "inventory_item_id" BIGINT,
    "sku" TEXT,
    "title" TEXT,
    "product_title" TEXT,
    "barcode" TEXT,
    "lot_tracked" BOOLEAN NOT NULL DEFAULT true,
    "strategy_override" "AllocationStrategy",
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "variants_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "locations" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "locations_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "lots" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "lot_number" TEXT NOT NULL,
    "status" "LotStatus" NOT NULL DEFAULT 'ACTIVE',
    "expires_on" DATE,
    "best_before_on" DATE,
    "produced_on" DATE,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "supplier" TEXT,
    "supplier_lot" TEXT,
    "purchase_order" TEXT,
    "unit_cost" DECIMAL(14,4),
    "currency" TEXT,
    "notes" TEXT,
    "gtin" TEXT,
    "incomplete" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lot_balances" (
    "lot_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "quarantined" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lot_balances_pkey" PRIMARY KEY ("lot_id","location_id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "location_id" BIGINT,
    "kind" "LedgerKind" NOT NULL,
    "delta" INTEGER NOT NULL,
    "balance_after" INTEGER,
    "cause" "LedgerCause" NOT NULL,
    "cause_ref" TEXT,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "customer_id" BIGINT,
    "customer_name" TEXT,
    "customer_email" TEXT,
    "customer_phone" TEXT,
    "shipping_address" JSONB,
    "redacted" BOOLEAN NOT NULL DEFAULT false,
    "cancelled_at" TIMESTAMP(3),
    "shopify_created_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "order_lines" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "variant_id" BIGINT,
    "product_id" BIGINT,
    "sku" TEXT,
    "title" TEXT,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "fulfillments" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "location_id" BIGINT,
    "status" TEXT NOT NULL,
    "name" TEXT,
    "shopify_created_at" TIMESTAMP(3),
    "shopify_updated_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "fulfillments_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "fulfillment_lines" (
    "shop_id" INTEGER NOT NULL,
    "fulfillment_id" BIGINT NOT NULL,
    "line_item_id" BIGINT NOT NULL,
    "variant_id" BIGINT,
    "quantity" INTEGER NOT NULL,
    "state" "FulfillmentLineState" NOT NULL DEFAULT 'PENDING',
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "fulfillment_lines_pkey" PRIMARY KEY ("shop_id","fulfillment_id","line_item_id")
);

-- CreateTable
CREATE TABLE "allocations" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "fulfillment_id" BIGINT NOT NULL,
    "line_item_id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "lot_id" BIGINT,
    "unknown_lot" BOOLEAN NOT NULL DEFAULT false,
    "location_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "returned_quantity" INTEGER NOT NULL DEFAULT 0,
    "status" "AllocationStatus" NOT NULL DEFAULT 'ALLOCATED',
    "fulfilled_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "allocations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allocation_returns" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "allocation_id" BIGINT NOT NULL,
    "refund_id" BIGINT NOT NULL,
    "refund_line_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "returned_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "allocation_returns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "shop_domain" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "api_version" TEXT,
    "event_id" TEXT,
    "triggered_at" TIMESTAMP(3),
    "payload" JSONB NOT NULL,
    "status" "WebhookStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMP(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_requests" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "customer_id" BIGINT,
    "email" TEXT,
    "export" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "production_runs" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "kind" "ProductionKind" NOT NULL,
    "output_lot_id" BIGINT NOT NULL,
    "output_quantity" INTEGER NOT NULL,
    "location_id" BIGINT NOT NULL,
    "reference" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "production_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "production_inputs" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "run_id" BIGINT NOT NULL,
    "input_lot_id" BIGINT NOT NULL,
    "output_lot_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "production_inputs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recalls" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "reference" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "severity" "RecallSeverity" NOT NULL,
    "status" "RecallStatus" NOT NULL DEFAULT 'OPEN',
    "tag_shopify" BOOLEAN NOT NULL DEFAULT false,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "recalls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall_lots" (
    "recall_id" BIGINT NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "direct" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "recall_lots_pkey" PRIMARY KEY ("recall_id","lot_id")
);

-- CreateTable
CREATE TABLE "recall_customers" (
    "recall_id" BIGINT NOT NULL,
    "customer_key" TEXT NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "status" "ContactStatus" NOT NULL DEFAULT 'TO_CONTACT',
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "recall_customers_pkey" PRIMARY KEY ("recall_id","customer_key")
);

-- CreateTable
CREATE TABLE "outbox_entries" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "outbox_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discrepancies" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "shopify_on_hand" INTEGER NOT NULL,
    "lots_on_hand" INTEGER NOT NULL,
    "status" "DiscrepancyStatus" NOT NULL DEFAULT 'OPEN',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),

    CONSTRAINT "discrepancies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "TaskStatus" NOT NULL DEFAULT 'RUNNING',
    "done" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "shops_domain_key" ON "shops"("domain");

-- CreateIndex
CREATE INDEX "variants_shop_id_inventory_item_id_idx" ON "variants"("shop_id", "inventory_item_id");

-- CreateIndex
CREATE INDEX "variants_shop_id_product_id_idx" ON "variants"("shop_id", "product_id");

-- CreateIndex
CREATE INDEX "variants_shop_id_barcode_idx" ON "variants"("shop_id", "barcode");

-- CreateIndex
CREATE INDEX "variants_shop_id_sku_idx" ON "variants"("shop_id", "sku");

-- CreateIndex
CREATE INDEX "lots_shop_id_lot_number_idx" ON "lots"("shop_id", "lot_number");

-- CreateIndex
CREATE INDEX "lots_shop_id_expires_on_idx" ON "lots"("shop_id", "expires_on");

-- CreateIndex
CREATE UNIQUE INDEX "lots_shop_id_variant_id_lot_number_key" ON "lots"("shop_id", "variant_id", "lot_number");

-- CreateIndex
CREATE INDEX "lot_balances_shop_id_variant_id_location_id_idx" ON "lot_balances"("shop_id", "variant_id", "location_id");

-- CreateIndex
CREATE INDEX "ledger_entries_shop_id_lot_id_created_at_idx" ON "ledger_entries"("shop_id", "lot_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_shop_id_customer_id_idx" ON "orders"("shop_id", "customer_id");

-- CreateIndex
CREATE INDEX "orders_shop_id_customer_email_idx" ON "orders"("shop_id", "customer_email");

-- CreateIndex
CREATE INDEX "orders_shop_id_name_idx" ON "orders"("shop_id", "name");

-- CreateIndex
CREATE INDEX "order_lines_shop_id_order_id_idx" ON "order_lines"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "fulfillments_shop_id_order_id_idx" ON "fulfillments"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "allocations_shop_id_lot_id_customer_id_idx" ON "allocations"("shop_id", "lot_id", "customer_id");

-- CreateIndex
CREATE INDEX "allocations_shop_id_order_id_idx" ON "allocations"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "allocations_shop_id_fulfillment_id_line_item_id_idx" ON "allocations"("shop_id", "fulfillment_id", "line_item_id");

-- CreateIndex
CREATE INDEX "allocations_shop_id_variant_id_unknown_lot_fulfilled_at_idx" ON "allocations"("shop_id", "variant_id", "unknown_lot", "fulfilled_at");

-- CreateIndex
CREATE INDEX "allocation_returns_shop_id_allocation_id_idx" ON "allocation_returns"("shop_id", "allocation_id");

-- CreateIndex
CREATE UNIQUE INDEX "allocation_returns_shop_id_refund_line_id_allocation_id_key" ON "allocation_returns"("shop_id", "refund_line_id", "allocation_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_events_webhook_id_key" ON "webhook_events"("webhook_id");

-- CreateIndex
CREATE INDEX "webhook_events_shop_domain_status_received_at_idx" ON "webhook_events"("shop_domain", "status", "received_at");

-- CreateIndex
CREATE INDEX "webhook_events_status_received_at_idx" ON "webhook_events"("status", "received_at");

-- CreateIndex
CREATE INDEX "data_requests_shop_id_created_at_idx" ON "data_requests"("shop_id", "created_at");

-- CreateIndex
CREATE INDEX "production_runs_shop_id_output_lot_id_idx" ON "production_runs"("shop_id", "output_lot_id");

-- CreateIndex
CREATE INDEX "production_inputs_shop_id_input_lot_id_idx" ON "production_inputs"("shop_id", "input_lot_id");

-- CreateIndex
CREATE INDEX "production_inputs_shop_id_output_lot_id_idx" ON "production_inputs"("shop_id", "output_lot_id");

-- CreateIndex
CREATE INDEX "recalls_shop_id_status_idx" ON "recalls"("shop_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "recalls_shop_id_reference_key" ON "recalls"("shop_id", "reference");

-- CreateIndex
CREATE INDEX "recall_lots_shop_id_lot_id_idx" ON "recall_lots"("shop_id", "lot_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_entries_idempotency_key_key" ON "outbox_entries"("idempotency_key");

-- CreateIndex
CREATE INDEX "outbox_entries_shop_id_status_created_at_idx" ON "outbox_entries"("shop_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "outbox_entries_status_created_at_idx" ON "outbox_entries"("status", "created_at");

-- CreateIndex
CREATE INDEX "discrepancies_shop_id_status_idx" ON "discrepancies"("shop_id", "status");

-- CreateIndex
CREATE INDEX "tasks_shop_id_created_at_idx" ON "tasks"("shop_id", "created_at");

-- AddForeignKey
ALTER TABLE "auto_lot_counters" ADD CONSTRAINT "auto_lot_counters_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "variants" ADD CONSTRAINT "variants_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "locations" ADD CONSTRAINT "locations_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lots" ADD CONSTRAINT "lots_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lot_balances" ADD CONSTRAINT "lot_balances_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_shop_id_order_id_fkey" FOREIGN KEY ("shop_id", "order_id") REFERENCES "orders"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fulfillment_lines" ADD CONSTRAINT "fulfillment_lines_shop_id_fulfillment_id_fkey" FOREIGN KEY ("shop_id", "fulfillment_id") REFERENCES "fulfillments"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "production_inputs" ADD CONSTRAINT "production_inputs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "production_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recall_lots" ADD CONSTRAINT "recall_lots_recall_id_fkey" FOREIGN KEY ("recall_id") REFERENCES "recalls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recall_customers" ADD CONSTRAINT "recall_customers_recall_id_fkey" FOREIGN KEY ("recall_id") REFERENCES "recalls"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Invariants the database itself enforces (not expressible in schema.prisma).
ALTER TABLE "lot_balances" ADD CONSTRAINT "lot_balances_quantity_nonnegative" CHECK ("quantity" >= 0);
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_quantity_positive" CHECK ("quantity" > 0);
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_returned_within_quantity" CHECK ("returned_quantity" >= 0 AND "returned_quantity" <= "quantity");
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_lot_or_unknown" CHECK (("lot_id" IS NULL) = "unknown_lot");
