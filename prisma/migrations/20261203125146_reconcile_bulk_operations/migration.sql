-- CreateEnum
CREATE TYPE "ReconcileBulkState" AS ENUM ('STARTING', 'RUNNING', 'APPLYING', 'APPLIED', 'FAILED');

-- CreateTable
CREATE TABLE "reconcile_bulk_operations" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "operation_id" TEXT,
    "state" "ReconcileBulkState" NOT NULL DEFAULT 'STARTING',
    "shopify_status" TEXT,
    "error_code" TEXT,
    "error" TEXT,
    "lease_until" TIMESTAMP(3),
    "levels_read" INTEGER NOT NULL DEFAULT 0,
    "acted" INTEGER NOT NULL DEFAULT 0,
    "waiting" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "polled_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "reconcile_bulk_operations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconcile_bulk_levels" (
    "bulk_id" BIGINT NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "units" INTEGER NOT NULL,
    "moves" INTEGER NOT NULL,
    "unsettled" INTEGER NOT NULL,

    CONSTRAINT "reconcile_bulk_levels_pkey" PRIMARY KEY ("bulk_id","variant_id","location_id")
);

-- CreateIndex
CREATE INDEX "reconcile_bulk_operations_state_created_at_idx" ON "reconcile_bulk_operations"("state", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "reconcile_bulk_operations_shop_id_operation_id_key" ON "reconcile_bulk_operations"("shop_id", "operation_id");

-- AddForeignKey
ALTER TABLE "reconcile_bulk_levels" ADD CONSTRAINT "reconcile_bulk_levels_bulk_id_fkey" FOREIGN KEY ("bulk_id") REFERENCES "reconcile_bulk_operations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

