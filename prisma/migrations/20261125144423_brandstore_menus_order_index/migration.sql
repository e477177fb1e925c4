-- DropIndex
DROP INDEX "brandstore_menus_idbrandstore_nourut_menu_idx";

-- CreateIndex
CREATE INDEX "brandstore_menus_idbrandstore_nourut_menu_id_idx" ON "brandstore_menus"("idbrandstore", "nourut_menu", "id");
