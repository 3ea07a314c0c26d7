-- AlterTable
ALTER TABLE "recall_notices" ADD COLUMN     "reminded_at" TIMESTAMP(3),
ADD COLUMN     "reminders_sent" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "recall_notice_settings" ADD COLUMN     "reminder_days" INTEGER NOT NULL DEFAULT 7;

