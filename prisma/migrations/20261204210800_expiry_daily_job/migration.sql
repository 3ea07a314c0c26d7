-- CreateEnum
CREATE TYPE "ExpiryEventKind" AS ENUM ('EXPIRED', 'ALERT');

-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "expiry_alert_days" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "expiry_run_hour" INTEGER NOT NULL DEFAULT 6;

-- AlterTable
ALTER TABLE "variants" ADD COLUMN     "expiry_alert_days" INTEGER;

-- CreateTable
CREATE TABLE "expiry_runs" (
    "shop_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "task_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "expiry_runs_pkey" PRIMARY KEY ("shop_id","day")
);

-- CreateTable
CREATE TABLE "expiry_events" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "lot_id" BIGINT NOT NULL,
    "kind" "ExpiryEventKind" NOT NULL,
    "expires_on" DATE NOT NULL,
    "day" DATE NOT NULL,
    "units" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "expiry_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "expiry_events_shop_id_lot_id_kind_expires_on_key" ON "expiry_events"("shop_id", "lot_id", "kind", "expires_on");

-- CreateIndex
CREATE INDEX "expiry_events_shop_id_day_idx" ON "expiry_events"("shop_id", "day");

-- Runs and events go with the shop, events with their lot.
ALTER TABLE "expiry_runs" ADD CONSTRAINT "expiry_runs_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "expiry_events" ADD CONSTRAINT "expiry_events_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "expiry_events" ADD CONSTRAINT "expiry_events_lot_id_fkey" FOREIGN KEY ("lot_id") REFERENCES "lots"("id") ON DELETE CASCADE ON UPDATE CASCADE;
