-- AlterTable
ALTER TABLE "shops" ADD COLUMN     "email" TEXT;

-- AlterTable
ALTER TABLE "expiry_runs" ADD COLUMN     "digest_reason" TEXT,
ADD COLUMN     "digest_status" TEXT;
