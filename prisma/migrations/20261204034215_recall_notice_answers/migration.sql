-- CreateEnum
CREATE TYPE "RecallNoticeAnswer" AS ENUM ('RETURNED', 'DESTROYED', 'STILL_HAVE', 'NEVER_RECEIVED');

-- AlterTable
ALTER TABLE "recall_notices" ADD COLUMN     "answer" "RecallNoticeAnswer",
ADD COLUMN     "answer_note" TEXT,
ADD COLUMN     "answered_at" TIMESTAMP(3),
ADD COLUMN     "respond_token_hash" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "recall_notices_respond_token_hash_key" ON "recall_notices"("respond_token_hash");

