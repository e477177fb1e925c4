-- CreateIndex
CREATE INDEX "thread_messages_created_at_id_idx" ON "thread_messages"("created_at", "id");
