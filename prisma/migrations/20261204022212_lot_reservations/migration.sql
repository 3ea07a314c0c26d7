-- CreateEnum
CREATE TYPE "ReservationSource" AS ENUM ('PLAN', 'SCAN', 'LINE_PROPERTY', 'MANUAL');

-- AlterEnum (new values are not used in this migration, so one transaction is fine on PostgreSQL 12+)
ALTER TYPE "LedgerKind" ADD VALUE 'RESERVED';
ALTER TYPE "LedgerKind" ADD VALUE 'UNRESERVED';

-- AlterTable
ALTER TABLE "lot_balances" ADD COLUMN     "reserved" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "location_id" BIGINT;

-- AlterTable
ALTER TABLE "order_lines" ADD COLUMN     "current_quantity" INTEGER,
ADD COLUMN     "lot_property" TEXT;

-- CreateTable
CREATE TABLE "lot_reservations" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "order_id" BIGINT NOT NULL,
    "line_item_id" BIGINT NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "location_id" BIGINT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "source" "ReservationSource" NOT NULL DEFAULT 'PLAN',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lot_reservations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "lot_reservations_shop_id_order_id_idx" ON "lot_reservations"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "lot_reservations_lot_id_location_id_idx" ON "lot_reservations"("lot_id", "location_id");

-- CreateIndex
CREATE UNIQUE INDEX "lot_reservations_shop_id_line_item_id_lot_id_location_id_key" ON "lot_reservations"("shop_id", "line_item_id", "lot_id", "location_id");

-- AddForeignKey
ALTER TABLE "lot_reservations" ADD CONSTRAINT "lot_reservations_lot_id_location_id_fkey" FOREIGN KEY ("lot_id", "location_id") REFERENCES "lot_balances"("lot_id", "location_id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Reservations (docs/decisions/100-reservations.md): a row is open units, never zero, and the counter
-- never goes below zero. No CHECK reserved <= quantity: a count may go below what is reserved (the
-- next reserveOrder releases what is no longer shippable).
ALTER TABLE "lot_reservations" ADD CONSTRAINT "lot_reservations_quantity_positive" CHECK ("quantity" > 0);
ALTER TABLE "lot_balances" ADD CONSTRAINT "lot_balances_reserved_nonnegative" CHECK ("reserved" >= 0);
