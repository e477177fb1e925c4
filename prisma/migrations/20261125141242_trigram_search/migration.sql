-- pg_trgm provides the gin_trgm_ops operator class of the indexes below. Prisma 7 does not declare
-- extensions in the schema (the postgresqlExtensions preview is deprecated): the documented way is
-- this line added to the generated migration. PGlite loads the extension at start (src/db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "menus_nama_menus_trgm_idx" ON "menus" USING GIN ("nama_menus" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "menus_brief_trgm_idx" ON "menus" USING GIN ("brief" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "menus_produsen_trgm_idx" ON "menus" USING GIN ("produsen" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "menus_nomor_registrasi_trgm_idx" ON "menus" USING GIN ("nomor_registrasi" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "orders_order_code_trgm_idx" ON "orders" USING GIN ("order_code" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "orders_nama_pemesan_trgm_idx" ON "orders" USING GIN ("nama_pemesan" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "orders_notelp_pemesan_trgm_idx" ON "orders" USING GIN ("notelp_pemesan" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "orders_email_pemesan_trgm_idx" ON "orders" USING GIN ("email_pemesan" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "orders_nama_penerima_trgm_idx" ON "orders" USING GIN ("nama_penerima" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "patients_nama_lengkap_pasien_trgm_idx" ON "patients" USING GIN ("nama_lengkap_pasien" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "patients_no_identitas_trgm_idx" ON "patients" USING GIN ("no_identitas" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "patients_no_handphone_trgm_idx" ON "patients" USING GIN ("no_handphone" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "patients_patient_external_id_trgm_idx" ON "patients" USING GIN ("patient_external_id" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_username_trgm_idx" ON "users" USING GIN ("username" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_users_fullname_trgm_idx" ON "users" USING GIN ("users_fullname" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_users_email_trgm_idx" ON "users" USING GIN ("users_email" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_users_phone_trgm_idx" ON "users" USING GIN ("users_phone" gin_trgm_ops);
