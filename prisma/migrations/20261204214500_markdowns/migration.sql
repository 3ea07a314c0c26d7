-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "markdown_rules" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "markdowns" (
    "shop_id" INTEGER NOT NULL,
    "variant_id" BIGINT NOT NULL,
    "lot_id" BIGINT,
    "percent" INTEGER NOT NULL,
    "discount_id" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "markdowns_pkey" PRIMARY KEY ("shop_id","variant_id")
);

-- Markdowns go with the shop.
ALTER TABLE "markdowns" ADD CONSTRAINT "markdowns_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
