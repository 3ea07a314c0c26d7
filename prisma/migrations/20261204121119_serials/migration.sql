-- CreateEnum
CREATE TYPE "SerialStatus" AS ENUM ('IN_STOCK', 'SHIPPED', 'RETURNED', 'REMOVED');

-- CreateEnum
CREATE TYPE "SerialEventKind" AS ENUM ('RECEIVED', 'SHIPPED', 'SHIPMENT_CANCELLED', 'RETURNED', 'MOVED', 'REMOVED');

-- AlterTable
ALTER TABLE "variants" ADD COLUMN     "serial_tracked" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "serials" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "identity" TEXT NOT NULL,
    "serial" TEXT NOT NULL,
    "status" "SerialStatus" NOT NULL DEFAULT 'IN_STOCK',
    "location_id" BIGINT,
    "order_id" BIGINT,
    "fulfillment_id" BIGINT,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "serials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "serial_events" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "serial_id" BIGINT NOT NULL,
    "kind" "SerialEventKind" NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "location_id" BIGINT,
    "order_id" BIGINT,
    "fulfillment_id" BIGINT,
    "cause_ref" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "serial_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "serials_shop_id_lot_id_idx" ON "serials"("shop_id", "lot_id");

-- CreateIndex
CREATE INDEX "serials_shop_id_order_id_idx" ON "serials"("shop_id", "order_id");

-- CreateIndex
CREATE UNIQUE INDEX "serials_shop_id_identity_serial_key" ON "serials"("shop_id", "identity", "serial");

-- CreateIndex
CREATE INDEX "serial_events_shop_id_serial_id_created_at_idx" ON "serial_events"("shop_id", "serial_id", "created_at");


-- Serials go with their lot, serial events with their serial, and both with the shop.
ALTER TABLE "serials" ADD CONSTRAINT "serials_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "serials" ADD CONSTRAINT "serials_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lots"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "serial_events" ADD CONSTRAINT "serial_events_serial_id_fkey" FOREIGN KEY ("serial_id") REFERENCES "serials"("id") ON DELETE CASCADE ON UPDATE CASCADE;
