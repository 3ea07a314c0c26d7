-- AlterTable
ALTER TABLE "variants" ADD COLUMN     "expiry_automation" BOOLEAN NOT NULL DEFAULT true;
