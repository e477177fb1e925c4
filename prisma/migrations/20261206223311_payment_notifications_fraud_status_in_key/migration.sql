-- DropIndex
DROP INDEX "payment_notifications_transaction_id_transaction_status_key";

-- CreateIndex
CREATE UNIQUE INDEX "payment_notifications_transaction_id_transaction_status_fra_key" ON "payment_notifications"("transaction_id", "transaction_status", "fraud_status");
