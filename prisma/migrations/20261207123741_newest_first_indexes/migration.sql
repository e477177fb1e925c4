-- DropIndex
DROP INDEX "notifications_id_user_from_idx";

-- DropIndex
DROP INDEX "thread_messages_id_user_from_idx";

-- DropIndex
DROP INDEX "thread_messages_id_user_to_idx";

-- CreateIndex
CREATE INDEX "notifications_created_at_id_idx" ON "notifications"("created_at", "id");

-- CreateIndex
CREATE INDEX "notifications_id_user_from_created_at_idx" ON "notifications"("id_user_from", "created_at");

-- CreateIndex
CREATE INDEX "thread_messages_id_user_from_created_at_idx" ON "thread_messages"("id_user_from", "created_at");

-- CreateIndex
CREATE INDEX "thread_messages_id_user_to_created_at_idx" ON "thread_messages"("id_user_to", "created_at");
