-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "input" TEXT;

