-- CreateTable
CREATE TABLE "user_point_consumptions" (
    "id" SERIAL NOT NULL,
    "id_spending" INTEGER NOT NULL,
    "id_lot" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "returned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_point_consumptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "user_point_consumptions_id_spending_idx" ON "user_point_consumptions"("id_spending");

-- CreateIndex
CREATE INDEX "user_point_consumptions_id_lot_idx" ON "user_point_consumptions"("id_lot");

-- AddForeignKey
ALTER TABLE "user_point_consumptions" ADD CONSTRAINT "user_point_consumptions_id_spending_fkey" FOREIGN KEY ("id_spending") REFERENCES "user_points"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_point_consumptions" ADD CONSTRAINT "user_point_consumptions_id_lot_fkey" FOREIGN KEY ("id_lot") REFERENCES "user_points"("id") ON DELETE CASCADE ON UPDATE CASCADE;
