-- DropIndex
DROP INDEX "orders_paid_report_idx";

-- DropIndex
DROP INDEX "payment_notifications_transaction_id_transaction_status_fra_key";

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "refunded_amount" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "payment_notifications" ADD COLUMN     "refunded_total" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "orders_paid_report_idx" ON "orders"("is_paid", "is_canceled", "id_member", "status", "paid_date", "order_type", "grand_totals", "total_discount", "refunded_amount");

-- CreateIndex
CREATE UNIQUE INDEX "payment_notifications_transaction_id_transaction_status_fra_key" ON "payment_notifications"("transaction_id", "transaction_status", "fraud_status", "refunded_total");
