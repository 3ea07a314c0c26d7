-- CreateEnum
CREATE TYPE "RecallNoticeStatus" AS ENUM ('QUEUED', 'SENDING', 'SENT', 'BOUNCED', 'FAILED', 'NO_EMAIL');

-- AlterTable
ALTER TABLE "recalls" ADD COLUMN     "action" TEXT,
ADD COLUMN     "hazard" TEXT,
ADD COLUMN     "remedy" TEXT,
ADD COLUMN     "respond" TEXT;

-- CreateTable
CREATE TABLE "recall_notices" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "recall_id" BIGINT NOT NULL,
    "customer_key" TEXT NOT NULL,
    "email" TEXT,
    "customer_name" TEXT,
    "order_names" TEXT NOT NULL DEFAULT '',
    "lot_numbers" TEXT NOT NULL DEFAULT '',
    "products" TEXT NOT NULL DEFAULT '',
    "status" "RecallNoticeStatus" NOT NULL DEFAULT 'QUEUED',
    "reason" TEXT,
    "message_id" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recall_notices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recall_notice_settings" (
    "shop_id" INTEGER NOT NULL,
    "from_address" TEXT,
    "merchant_contact" TEXT,
    "subject" TEXT,
    "body" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recall_notice_settings_pkey" PRIMARY KEY ("shop_id")
);

-- CreateIndex
CREATE INDEX "recall_notices_shop_id_recall_id_status_idx" ON "recall_notices"("shop_id", "recall_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "recall_notices_shop_id_recall_id_customer_key_key" ON "recall_notices"("shop_id", "recall_id", "customer_key");

-- AddForeignKey
ALTER TABLE "recall_notices" ADD CONSTRAINT "recall_notices_recall_id_fkey" FOREIGN KEY ("recall_id") REFERENCES "recalls"("id") ON DELETE CASCADE ON UPDATE CASCADE;

