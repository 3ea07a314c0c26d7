-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "expiry_quarantine" BOOLEAN NOT NULL DEFAULT false;
