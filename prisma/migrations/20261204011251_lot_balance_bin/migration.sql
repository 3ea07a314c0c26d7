-- AlterEnum
ALTER TYPE "LedgerKind" ADD VALUE 'BIN_MOVED';

-- AlterTable
ALTER TABLE "lot_balances" ADD COLUMN     "bin" TEXT;

