-- AlterTable
ALTER TABLE "user_schedules" DROP COLUMN "reminder_sent_at";
