-- CreateTable
CREATE TABLE "refund_lines" (
    "shop_id" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "refund_id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "line_item_id" BIGINT NOT NULL,
    "location_id" BIGINT,
    "restock_type" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "returned_quantity" INTEGER NOT NULL DEFAULT 0,
    "refunded_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "refund_lines_pkey" PRIMARY KEY ("shop_id","id")
);

-- CreateIndex
CREATE INDEX "refund_lines_shop_id_line_item_id_idx" ON "refund_lines"("shop_id", "line_item_id");


-- Invariants the database enforces (not expressible in schema.prisma).
ALTER TABLE "refund_lines" ADD CONSTRAINT "refund_lines_quantity_positive" CHECK ("quantity" > 0);
ALTER TABLE "refund_lines" ADD CONSTRAINT "refund_lines_returned_within_quantity" CHECK ("returned_quantity" >= 0 AND "returned_quantity" <= "quantity");
