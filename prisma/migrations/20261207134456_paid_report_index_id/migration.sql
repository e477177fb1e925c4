-- DropIndex
DROP INDEX "orders_paid_report_idx";

-- CreateIndex
CREATE INDEX "orders_paid_report_idx" ON "orders"("is_paid", "is_canceled", "id_member", "status", "paid_date", "order_type", "grand_totals", "total_discount", "refunded_amount", "id");
