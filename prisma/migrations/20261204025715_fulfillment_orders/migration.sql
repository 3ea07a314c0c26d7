-- CreateTable
CREATE TABLE "fulfillment_orders" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "assigned_location_id" BIGINT,
    "status" TEXT NOT NULL,
    "shopify_updated_at" TIMESTAMP(3) NOT NULL,
    "fetched_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fulfillment_orders_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateTable
CREATE TABLE "fulfillment_order_lines" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "fulfillment_order_id" BIGINT NOT NULL,
    "line_item_id" BIGINT NOT NULL,
    "total_quantity" INTEGER NOT NULL,
    "remaining_quantity" INTEGER NOT NULL,

    CONSTRAINT "fulfillment_order_lines_pkey" PRIMARY KEY ("shop_id","fulfillment_order_id","id")
);

-- CreateTable
CREATE TABLE "fulfillment_order_requests" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" INTEGER NOT NULL,
    "order_id" BIGINT,
    "fulfillment_order_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fulfillment_order_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "fulfillment_orders_shop_id_order_id_idx" ON "fulfillment_orders"("shop_id", "order_id");

-- CreateIndex
CREATE INDEX "fulfillment_order_lines_shop_id_line_item_id_idx" ON "fulfillment_order_lines"("shop_id", "line_item_id");

-- CreateIndex
CREATE INDEX "fulfillment_order_requests_created_at_idx" ON "fulfillment_order_requests"("created_at");

-- AddForeignKey
ALTER TABLE "fulfillment_order_lines" ADD CONSTRAINT "fulfillment_order_lines_shop_id_fulfillment_order_id_fkey" FOREIGN KEY ("shop_id", "fulfillment_order_id") REFERENCES "fulfillment_orders"("shop_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

