-- CreateIndex
CREATE INDEX "logs_details_idx" ON "logs" USING GIN ("details" jsonb_path_ops);
