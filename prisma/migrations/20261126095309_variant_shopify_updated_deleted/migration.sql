-- AlterTable
ALTER TABLE "variants" ADD COLUMN     "deleted_at" TIMESTAMP(3),
ADD COLUMN     "shopify_updated_at" TIMESTAMP(3);

