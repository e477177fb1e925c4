-- CreateTable
CREATE TABLE "menu_categories" (
    "id" SERIAL NOT NULL,
    "menu_categories" VARCHAR(200) NOT NULL,
    "codes" VARCHAR(100) NOT NULL DEFAULT '',
    "color" VARCHAR(20) NOT NULL DEFAULT '',
    "images" VARCHAR(200) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "menu_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "menus" (
    "id" SERIAL NOT NULL,
    "nama_menus" VARCHAR(300) NOT NULL,
    "brief" TEXT NOT NULL DEFAULT '',
    "harga" INTEGER NOT NULL,
    "pajak" INTEGER NOT NULL DEFAULT 0,
    "is_resep_required" SMALLINT NOT NULL DEFAULT 0,
    "harga_promosi" INTEGER NOT NULL DEFAULT 0,
    "mulai_harga_promosi" TIMESTAMPTZ(3),
    "selesai_harga_promosi" TIMESTAMPTZ(3),
    "is_featured" SMALLINT NOT NULL DEFAULT 0,
    "id_menu_categories_1" INTEGER,
    "id_menu_categories_2" INTEGER,
    "id_menu_categories_3" INTEGER,
    "dosis" VARCHAR(100) NOT NULL DEFAULT '',
    "komposisi" TEXT NOT NULL DEFAULT '',
    "aturan_pakai" TEXT NOT NULL DEFAULT '',
    "nomor_registrasi" VARCHAR(100) NOT NULL DEFAULT '',
    "produsen" VARCHAR(200) NOT NULL DEFAULT '',
    "satuan" VARCHAR(50) NOT NULL DEFAULT '',
    "berat" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "menus_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "menu_images" (
    "id" SERIAL NOT NULL,
    "id_menus" INTEGER NOT NULL,
    "menu_image" VARCHAR(200) NOT NULL,
    "is_primary" SMALLINT NOT NULL DEFAULT 0,
    "nomor_urut_tampil" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "menu_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "brandstore" (
    "id" SERIAL NOT NULL,
    "nama" VARCHAR(200) NOT NULL,
    "alamat" TEXT NOT NULL DEFAULT '',
    "notelp" VARCHAR(30) NOT NULL DEFAULT '',
    "opentime" TIME(0),
    "closetime" TIME(0),
    "city" VARCHAR(100) NOT NULL DEFAULT '',
    "lat" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lng" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "is_show" SMALLINT NOT NULL DEFAULT 1,
    "groupname" VARCHAR(50) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "brandstore_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "brandstore_menus" (
    "id" SERIAL NOT NULL,
    "idmenu" INTEGER NOT NULL,
    "idbrandstore" INTEGER NOT NULL,
    "nourut_menu" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "brandstore_menus_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stocks" (
    "id" SERIAL NOT NULL,
    "idbrandstoremenus" INTEGER NOT NULL,
    "quantitytotal" INTEGER NOT NULL DEFAULT 0,
    "datetimeupdateat" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stocks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_movements" (
    "id" SERIAL NOT NULL,
    "idstock" INTEGER NOT NULL,
    "delta" INTEGER NOT NULL,
    "quantity_after" INTEGER NOT NULL,
    "reason" VARCHAR(20) NOT NULL,
    "id_orders" INTEGER,
    "id_users" INTEGER,
    "note" VARCHAR(300) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promotions" (
    "id" SERIAL NOT NULL,
    "id_menu" INTEGER,
    "type" VARCHAR(10) NOT NULL,
    "value" INTEGER NOT NULL,
    "quota" INTEGER NOT NULL DEFAULT 0,
    "quota_reserved" INTEGER NOT NULL DEFAULT 0,
    "quota_used" INTEGER NOT NULL DEFAULT 0,
    "max_uses_per_customer" INTEGER NOT NULL DEFAULT 1,
    "start_datetime" TIMESTAMPTZ(3) NOT NULL,
    "expired_datetime" TIMESTAMPTZ(3) NOT NULL,
    "display_codes" VARCHAR(50) NOT NULL,
    "display_codes_key" VARCHAR(50),
    "title" VARCHAR(200) NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "img_promotions" VARCHAR(200) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "promotions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promotion_usages" (
    "id" SERIAL NOT NULL,
    "id_promotions" INTEGER NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "status" VARCHAR(10) NOT NULL DEFAULT 'RESERVED',
    "amount" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "promotion_usages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "static_contents" (
    "id" SERIAL NOT NULL,
    "type" VARCHAR(50) NOT NULL,
    "contents" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "static_contents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prescription_requests" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_menu" INTEGER NOT NULL,
    "request_date" DATE NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'OPEN',
    "id_threads" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "prescription_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_categories" (
    "id" SERIAL NOT NULL,
    "service_categories" VARCHAR(200) NOT NULL,
    "codes" VARCHAR(200) NOT NULL DEFAULT '',
    "color" VARCHAR(20) NOT NULL DEFAULT '',
    "images" VARCHAR(200) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "service_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "services" (
    "id" SERIAL NOT NULL,
    "id_service_categories" INTEGER,
    "services_name" VARCHAR(200) NOT NULL,
    "services_price" INTEGER NOT NULL DEFAULT 0,
    "services_description" TEXT NOT NULL DEFAULT '',
    "buffer_time" INTEGER NOT NULL DEFAULT 0,
    "is_available" SMALLINT NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_images" (
    "id" SERIAL NOT NULL,
    "id_services" INTEGER NOT NULL,
    "service_image" VARCHAR(200) NOT NULL,
    "is_primary" SMALLINT NOT NULL DEFAULT 0,
    "nomor_urut_tampil" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "service_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doctors" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_services" INTEGER,
    "custom_price" INTEGER NOT NULL DEFAULT 0,
    "doctor_description" TEXT NOT NULL DEFAULT '',
    "availability_description" VARCHAR(300) NOT NULL DEFAULT '',
    "short_description" VARCHAR(500) NOT NULL DEFAULT '',
    "is_active" SMALLINT NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "doctors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doctor_services" (
    "id" SERIAL NOT NULL,
    "id_doctors" INTEGER NOT NULL,
    "id_services" INTEGER NOT NULL,
    "custom_price" INTEGER NOT NULL DEFAULT 0,
    "doctor_buffer_time" INTEGER NOT NULL DEFAULT 0,
    "is_active" SMALLINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "doctor_services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedules" (
    "id" SERIAL NOT NULL,
    "id_doctors" INTEGER NOT NULL,
    "hari" VARCHAR(10) NOT NULL,
    "jam" TIME(0) NOT NULL,
    "jam_selesai" TIME(0) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doctor_schedules" (
    "id" SERIAL NOT NULL,
    "id_doctors" INTEGER NOT NULL,
    "id_doctor_services" INTEGER NOT NULL,
    "id_services" INTEGER NOT NULL,
    "custom_price" INTEGER NOT NULL DEFAULT 0,
    "hari" VARCHAR(10) NOT NULL,
    "jam" TIME(0) NOT NULL,
    "jam_selesai" TIME(0) NOT NULL,
    "is_active" SMALLINT NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "doctor_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "holidays" (
    "id" SERIAL NOT NULL,
    "dates" DATE NOT NULL,
    "descriptions" VARCHAR(500) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "holidays_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_schedules" (
    "id" SERIAL NOT NULL,
    "id_doctors" INTEGER NOT NULL,
    "id_services" INTEGER NOT NULL,
    "id_doctor_schedules" INTEGER NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_patients" INTEGER NOT NULL,
    "custom_price" INTEGER NOT NULL DEFAULT 0,
    "hari" VARCHAR(10) NOT NULL,
    "tanggal" DATE NOT NULL,
    "jam" TIME(0) NOT NULL,
    "jam_selesai" TIME(0) NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'BOOKING',
    "active_slot" SMALLINT DEFAULT 1,
    "reschedule_counts" INTEGER NOT NULL DEFAULT 0,
    "cancel_reason" VARCHAR(500) NOT NULL DEFAULT '',
    "digisoft_invoice_numbers" VARCHAR(100) NOT NULL DEFAULT '',
    "arrived_datetime" TIMESTAMPTZ(3),
    "done_datetime" TIMESTAMPTZ(3),
    "cancel_datetime" TIMESTAMPTZ(3),
    "reminder_sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patients" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER,
    "patient_external_id" VARCHAR(100) NOT NULL DEFAULT '',
    "nama_lengkap_pasien" VARCHAR(200) NOT NULL,
    "tempat_lahir" VARCHAR(100),
    "tanggal_lahir" DATE,
    "alamat_domisili" TEXT,
    "nama_ibu_kandung" VARCHAR(200),
    "jenis_kelamin" VARCHAR(1),
    "nama_ayah" VARCHAR(200),
    "no_identitas" VARCHAR(50),
    "jenis_identitas" VARCHAR(20),
    "catatan" TEXT,
    "nama_wali" VARCHAR(200),
    "hubungan_dengan_wali" VARCHAR(100),
    "alamat_wali" TEXT,
    "no_telp_wali" VARCHAR(30),
    "alamat_identitas" TEXT,
    "golongan_darah" VARCHAR(5),
    "pekerjaan" VARCHAR(100),
    "perusahaan_tempat_bekerja" VARCHAR(200),
    "perusahaan_no_telp" VARCHAR(30),
    "no_telp_rumah" VARCHAR(30),
    "no_handphone" VARCHAR(30),
    "patient_picture" VARCHAR(200),
    "provinsi" VARCHAR(100),
    "kota" VARCHAR(100),
    "kecamatan" VARCHAR(100),
    "kode_provinsi" VARCHAR(20),
    "kode_kota" VARCHAR(20),
    "kode_kecamatan" VARCHAR(20),
    "lat" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lng" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "patients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_allergies" (
    "id" SERIAL NOT NULL,
    "id_patients" INTEGER NOT NULL,
    "allergies" VARCHAR(200) NOT NULL,
    "diagnosa" TEXT NOT NULL DEFAULT '',
    "catatan_kaki" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "patient_allergies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_rekam_medis" (
    "id" SERIAL NOT NULL,
    "id_patients" INTEGER NOT NULL,
    "tanggal_konsul" DATE NOT NULL,
    "keluhan" TEXT NOT NULL DEFAULT '',
    "diagnosa" TEXT NOT NULL DEFAULT '',
    "catatan_kaki" TEXT NOT NULL DEFAULT '',
    "is_verified" SMALLINT NOT NULL DEFAULT 0,
    "verified_iduser" INTEGER,
    "verified_at" TIMESTAMPTZ(3),
    "created_by_iduser" INTEGER,
    "id_rekam_medis_asal" INTEGER,
    "jenis_perubahan" VARCHAR(10),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "patient_rekam_medis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" SERIAL NOT NULL,
    "order_type" VARCHAR(1) NOT NULL,
    "order_code" VARCHAR(30),
    "status" VARCHAR(20) NOT NULL DEFAULT 'SHOPPING CARTS',
    "cart_open" SMALLINT DEFAULT 1,
    "id_member" INTEGER NOT NULL,
    "id_patients" INTEGER NOT NULL,
    "id_admin" INTEGER,
    "pic_admin" VARCHAR(200) NOT NULL DEFAULT '',
    "id_promo_discount_applied" INTEGER,
    "nama_pemesan" VARCHAR(200) NOT NULL DEFAULT '',
    "notelp_pemesan" VARCHAR(30) NOT NULL DEFAULT '',
    "email_pemesan" VARCHAR(200) NOT NULL DEFAULT '',
    "alamat_pemesan" TEXT NOT NULL DEFAULT '',
    "alamat_kirim" TEXT NOT NULL DEFAULT '',
    "nama_penerima" VARCHAR(200) NOT NULL DEFAULT '',
    "lat_kirim" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lng_kirim" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "kode_provinsi" VARCHAR(20) NOT NULL DEFAULT '',
    "kode_kota" VARCHAR(20) NOT NULL DEFAULT '',
    "kode_kecamatan" VARCHAR(20) NOT NULL DEFAULT '',
    "order_date" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checkout_datetime" TIMESTAMPTZ(3),
    "queue_number" INTEGER NOT NULL DEFAULT 0,
    "catatan_order" TEXT NOT NULL DEFAULT '',
    "total_price" INTEGER NOT NULL DEFAULT 0,
    "total_discount" INTEGER NOT NULL DEFAULT 0,
    "total_pajak" INTEGER NOT NULL DEFAULT 0,
    "total_buffertime" INTEGER NOT NULL DEFAULT 0,
    "courier_price" INTEGER NOT NULL DEFAULT 0,
    "poin_used" INTEGER NOT NULL DEFAULT 0,
    "grand_totals" INTEGER NOT NULL DEFAULT 0,
    "reservation_status" VARCHAR(10) NOT NULL DEFAULT 'NONE',
    "is_paid" SMALLINT NOT NULL DEFAULT 0,
    "paid_date" TIMESTAMPTZ(3),
    "pay_channel" VARCHAR(50) NOT NULL DEFAULT '',
    "payment_attempts" INTEGER NOT NULL DEFAULT 0,
    "token" VARCHAR(100) NOT NULL DEFAULT '',
    "payment_redirect_url" VARCHAR(500) NOT NULL DEFAULT '',
    "expires_at" TIMESTAMPTZ(3),
    "is_prepared" SMALLINT NOT NULL DEFAULT 0,
    "prepared_datetime" TIMESTAMPTZ(3),
    "is_processing" SMALLINT NOT NULL DEFAULT 0,
    "processing_datetime" TIMESTAMPTZ(3),
    "is_waiting_courier" SMALLINT NOT NULL DEFAULT 0,
    "waiting_courier_datetime" TIMESTAMPTZ(3),
    "is_pickup" SMALLINT NOT NULL DEFAULT 0,
    "pickup_datetime" TIMESTAMPTZ(3),
    "is_delivered" SMALLINT NOT NULL DEFAULT 0,
    "delivered_datetime" TIMESTAMPTZ(3),
    "is_done" SMALLINT NOT NULL DEFAULT 0,
    "done_datetime" TIMESTAMPTZ(3),
    "is_canceled" SMALLINT NOT NULL DEFAULT 0,
    "cancel_datetime" TIMESTAMPTZ(3),
    "cancel_pic" VARCHAR(200) NOT NULL DEFAULT '',
    "cancel_reason" VARCHAR(500) NOT NULL DEFAULT '',
    "courier" VARCHAR(30) NOT NULL DEFAULT '',
    "courier_service" VARCHAR(50) NOT NULL DEFAULT '',
    "is_courier" SMALLINT NOT NULL DEFAULT 0,
    "courier_datetime" TIMESTAMPTZ(3),
    "distance" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "distance_unit" VARCHAR(5) NOT NULL DEFAULT 'km',
    "nomor_resi" VARCHAR(100) NOT NULL DEFAULT '',
    "ratings" SMALLINT,
    "rating_desc" TEXT,
    "consultation_closed" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_items" (
    "id" SERIAL NOT NULL,
    "id_order" INTEGER NOT NULL,
    "id_menu" INTEGER NOT NULL,
    "qty" INTEGER NOT NULL,
    "satuan" VARCHAR(50) NOT NULL DEFAULT '',
    "price" INTEGER NOT NULL,
    "price_total" INTEGER NOT NULL,
    "discount" INTEGER NOT NULL DEFAULT 0,
    "pajak" INTEGER NOT NULL DEFAULT 0,
    "buffer_time" INTEGER NOT NULL DEFAULT 0,
    "nama_menus" VARCHAR(300) NOT NULL DEFAULT '',
    "order_datetime" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "catatan_menu" VARCHAR(500) NOT NULL DEFAULT '',
    "is_canceled" SMALLINT NOT NULL DEFAULT 0,
    "cancel_user_id" INTEGER,
    "idstock" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_extras" (
    "id" SERIAL NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "item" VARCHAR(100) NOT NULL DEFAULT 'Online consultation',
    "id_doctors" INTEGER,
    "qty" INTEGER NOT NULL DEFAULT 1,
    "extra_notes" VARCHAR(500) NOT NULL DEFAULT '',
    "extra_prices" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_extras_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" SERIAL NOT NULL,
    "distance_fr" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "distance_to" DOUBLE PRECISION NOT NULL,
    "segment" VARCHAR(200) NOT NULL DEFAULT '',
    "price_in_km" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_settings" (
    "id" SERIAL NOT NULL,
    "scope" VARCHAR(20) NOT NULL DEFAULT 'default',
    "kode_kota_asal" INTEGER NOT NULL DEFAULT 0,
    "kode_kecamatan_asal" INTEGER NOT NULL DEFAULT 0,
    "lat_gudang" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lng_gudang" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "alamat_gudang" TEXT NOT NULL DEFAULT '',
    "kode_kurir" TEXT[],
    "id_brandstore_gudang" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "courier_quotes" (
    "id" SERIAL NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "courier" VARCHAR(30) NOT NULL,
    "service" VARCHAR(50) NOT NULL,
    "description" VARCHAR(200) NOT NULL DEFAULT '',
    "cost" INTEGER NOT NULL,
    "etd" VARCHAR(50) NOT NULL DEFAULT '',
    "weight" INTEGER NOT NULL,
    "origin" VARCHAR(20) NOT NULL DEFAULT '',
    "destination" VARCHAR(20) NOT NULL DEFAULT '',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "courier_quotes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_payments" (
    "id" SERIAL NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "midtrans_order_id" VARCHAR(50) NOT NULL,
    "gross_amount" INTEGER NOT NULL,
    "snap_token" VARCHAR(100) NOT NULL DEFAULT '',
    "redirect_url" VARCHAR(500) NOT NULL DEFAULT '',
    "status" VARCHAR(20) NOT NULL DEFAULT 'PENDING',
    "transaction_id" VARCHAR(100),
    "payment_type" VARCHAR(50),
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_notifications" (
    "id" SERIAL NOT NULL,
    "id_orders" INTEGER,
    "order_id" VARCHAR(50) NOT NULL,
    "transaction_id" VARCHAR(100) NOT NULL,
    "transaction_status" VARCHAR(30) NOT NULL,
    "status_code" VARCHAR(5) NOT NULL DEFAULT '',
    "gross_amount" VARCHAR(30) NOT NULL DEFAULT '',
    "fraud_status" VARCHAR(20) NOT NULL DEFAULT '',
    "payment_type" VARCHAR(50) NOT NULL DEFAULT '',
    "transaction_time" VARCHAR(30) NOT NULL DEFAULT '',
    "raw" JSONB NOT NULL,
    "processed_at" TIMESTAMPTZ(3),
    "process_result" VARCHAR(50) NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_points" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_orders" INTEGER,
    "add_point" INTEGER NOT NULL DEFAULT 0,
    "use_point" INTEGER NOT NULL DEFAULT 0,
    "remaining_point" INTEGER NOT NULL DEFAULT 0,
    "usecase" VARCHAR(50) NOT NULL,
    "is_used" SMALLINT NOT NULL DEFAULT 0,
    "is_expired" SMALLINT NOT NULL DEFAULT 0,
    "expired_date" DATE,
    "id_orders_earned" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_points_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_point_balances" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "balance" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_point_balances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ratings" (
    "id" SERIAL NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "id_users" INTEGER NOT NULL,
    "ratings" SMALLINT NOT NULL,
    "rating_desc" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ratings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_code_counters" (
    "id" SERIAL NOT NULL,
    "order_type" VARCHAR(1) NOT NULL,
    "tanggal" DATE NOT NULL,
    "last_number" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_code_counters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "threads" (
    "id" SERIAL NOT NULL,
    "thread_type" VARCHAR(30) NOT NULL DEFAULT 'online_consultations',
    "id_order" INTEGER,
    "id_user_from" INTEGER NOT NULL,
    "id_user_to" INTEGER,
    "id_patients" INTEGER,
    "queue_number" INTEGER NOT NULL DEFAULT 0,
    "estimate_done_at" TIMESTAMPTZ(3),
    "last_update_at" TIMESTAMPTZ(3),
    "last_seen_at" TIMESTAMPTZ(3),
    "user_from_last_seen_at" TIMESTAMPTZ(3),
    "user_to_last_seen_at" TIMESTAMPTZ(3),
    "is_closed" SMALLINT NOT NULL DEFAULT 0,
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "threads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "thread_messages" (
    "id" SERIAL NOT NULL,
    "id_threads" INTEGER NOT NULL,
    "id_user_from" INTEGER NOT NULL,
    "id_user_to" INTEGER,
    "intentions" VARCHAR(50) NOT NULL DEFAULT '-',
    "title" VARCHAR(200) NOT NULL DEFAULT '',
    "content_type" VARCHAR(20) NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "file_name" VARCHAR(200),
    "file_mime" VARCHAR(100),
    "file_size" INTEGER,
    "id_menu" INTEGER,
    "menu_snapshot" JSONB,
    "qty" INTEGER,
    "valid_until" TIMESTAMPTZ(3),
    "priority" VARCHAR(20) NOT NULL DEFAULT 'standard',
    "labels" VARCHAR(50) NOT NULL DEFAULT '',
    "remark" VARCHAR(200) NOT NULL DEFAULT '',
    "is_read" SMALLINT NOT NULL DEFAULT 0,
    "read_at" TIMESTAMPTZ(3),
    "edited_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "thread_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "menu_reedems" (
    "id" SERIAL NOT NULL,
    "id_thread_messages" INTEGER NOT NULL,
    "id_threads" INTEGER NOT NULL,
    "id_menu" INTEGER NOT NULL,
    "id_orders" INTEGER NOT NULL,
    "id_order_items" INTEGER,
    "id_users" INTEGER NOT NULL,
    "qty" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "menu_reedems_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" SERIAL NOT NULL,
    "id_user_from" INTEGER,
    "id_user_to" INTEGER NOT NULL,
    "intentions" VARCHAR(50) NOT NULL DEFAULT '',
    "title" VARCHAR(200) NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "priority" VARCHAR(20) NOT NULL DEFAULT 'Low',
    "labels" VARCHAR(20) NOT NULL DEFAULT 'Info',
    "url" VARCHAR(500) NOT NULL DEFAULT '',
    "remark" VARCHAR(200) NOT NULL DEFAULT '',
    "reference_type" VARCHAR(50),
    "reference_id" INTEGER,
    "is_read" SMALLINT NOT NULL DEFAULT 0,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "push_deliveries" (
    "id" SERIAL NOT NULL,
    "id_notifications" INTEGER NOT NULL,
    "id_users" INTEGER NOT NULL,
    "device_token" VARCHAR(500) NOT NULL,
    "status" VARCHAR(10) NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" VARCHAR(1000) NOT NULL DEFAULT '',
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "push_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "username" VARCHAR(100) NOT NULL,
    "users_fullname" VARCHAR(200) NOT NULL,
    "users_email" VARCHAR(200),
    "users_phone" VARCHAR(30),
    "users_address" TEXT NOT NULL DEFAULT '',
    "users_birthday" DATE,
    "users_picture" VARCHAR(200) NOT NULL DEFAULT '',
    "users_status" VARCHAR(100) NOT NULL DEFAULT 'Created',
    "positions" VARCHAR(100) NOT NULL DEFAULT '-',
    "password_hash" VARCHAR(100) NOT NULL,
    "is_blocked" SMALLINT NOT NULL DEFAULT 0,
    "is_email_confirmed" SMALLINT NOT NULL DEFAULT 0,
    "is_phone_confirmed" SMALLINT NOT NULL DEFAULT 0,
    "is_password_reset_required" SMALLINT NOT NULL DEFAULT 0,
    "num_of_login_attempts" INTEGER NOT NULL DEFAULT 0,
    "token_version" INTEGER NOT NULL DEFAULT 0,
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_roles" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "role_codes" VARCHAR(20) NOT NULL,
    "descriptions" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "departments" (
    "id" SERIAL NOT NULL,
    "department_name" VARCHAR(200) NOT NULL,
    "department_descriptions" TEXT NOT NULL DEFAULT '',
    "department_codes" VARCHAR(50) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "departments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_departments" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "id_departments" INTEGER NOT NULL,
    "descriptions" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_departments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_device_tokens" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "device_token" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_device_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "logs" (
    "id" SERIAL NOT NULL,
    "seq" INTEGER NOT NULL,
    "prev_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "id_users" INTEGER,
    "role" VARCHAR(20),
    "action" VARCHAR(50) NOT NULL,
    "resource" VARCHAR(50) NOT NULL,
    "resource_id" VARCHAR(50),
    "id_patients" INTEGER,
    "outcome" VARCHAR(10) NOT NULL DEFAULT 'success',
    "ip" VARCHAR(64),
    "user_agent" VARCHAR(500),
    "details" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_outbox" (
    "id" SERIAL NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "recipient" VARCHAR(200) NOT NULL,
    "subject" VARCHAR(300) NOT NULL DEFAULT '',
    "body" TEXT NOT NULL DEFAULT '',
    "purpose" VARCHAR(50) NOT NULL DEFAULT '',
    "id_users" INTEGER,
    "status" VARCHAR(10) NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" VARCHAR(1000) NOT NULL DEFAULT '',
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "password_resets" (
    "id" SERIAL NOT NULL,
    "id_users" INTEGER NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "voided_at" TIMESTAMPTZ(3),
    "request_ip" VARCHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "password_resets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "menu_categories_deleted_at_id_idx" ON "menu_categories"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "menu_categories_menu_categories_idx" ON "menu_categories"("menu_categories");

-- CreateIndex
CREATE INDEX "menus_deleted_at_id_idx" ON "menus"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "menus_id_menu_categories_1_idx" ON "menus"("id_menu_categories_1");

-- CreateIndex
CREATE INDEX "menus_id_menu_categories_2_idx" ON "menus"("id_menu_categories_2");

-- CreateIndex
CREATE INDEX "menus_id_menu_categories_3_idx" ON "menus"("id_menu_categories_3");

-- CreateIndex
CREATE INDEX "menus_is_featured_idx" ON "menus"("is_featured");

-- CreateIndex
CREATE INDEX "menus_is_resep_required_idx" ON "menus"("is_resep_required");

-- CreateIndex
CREATE INDEX "menus_nama_menus_idx" ON "menus"("nama_menus");

-- CreateIndex
CREATE INDEX "menus_harga_idx" ON "menus"("harga");

-- CreateIndex
CREATE INDEX "menu_images_id_menus_is_primary_nomor_urut_tampil_idx" ON "menu_images"("id_menus", "is_primary", "nomor_urut_tampil");

-- CreateIndex
CREATE INDEX "brandstore_deleted_at_id_idx" ON "brandstore"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "brandstore_city_idx" ON "brandstore"("city");

-- CreateIndex
CREATE INDEX "brandstore_is_show_city_idx" ON "brandstore"("is_show", "city");

-- CreateIndex
CREATE INDEX "brandstore_groupname_idx" ON "brandstore"("groupname");

-- CreateIndex
CREATE INDEX "brandstore_menus_idbrandstore_nourut_menu_idx" ON "brandstore_menus"("idbrandstore", "nourut_menu");

-- CreateIndex
CREATE UNIQUE INDEX "brandstore_menus_idmenu_idbrandstore_key" ON "brandstore_menus"("idmenu", "idbrandstore");

-- CreateIndex
CREATE UNIQUE INDEX "stocks_idbrandstoremenus_key" ON "stocks"("idbrandstoremenus");

-- CreateIndex
CREATE INDEX "stock_movements_idstock_created_at_idx" ON "stock_movements"("idstock", "created_at");

-- CreateIndex
CREATE INDEX "stock_movements_id_orders_idx" ON "stock_movements"("id_orders");

-- CreateIndex
CREATE INDEX "stock_movements_id_users_idx" ON "stock_movements"("id_users");

-- CreateIndex
CREATE UNIQUE INDEX "promotions_display_codes_key_key" ON "promotions"("display_codes_key");

-- CreateIndex
CREATE INDEX "promotions_deleted_at_id_idx" ON "promotions"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "promotions_id_menu_idx" ON "promotions"("id_menu");

-- CreateIndex
CREATE INDEX "promotions_start_datetime_expired_datetime_idx" ON "promotions"("start_datetime", "expired_datetime");

-- CreateIndex
CREATE INDEX "promotions_title_idx" ON "promotions"("title");

-- CreateIndex
CREATE INDEX "promotion_usages_id_promotions_id_users_status_idx" ON "promotion_usages"("id_promotions", "id_users", "status");

-- CreateIndex
CREATE INDEX "promotion_usages_id_users_idx" ON "promotion_usages"("id_users");

-- CreateIndex
CREATE INDEX "promotion_usages_id_orders_idx" ON "promotion_usages"("id_orders");

-- CreateIndex
CREATE UNIQUE INDEX "promotion_usages_id_promotions_id_orders_key" ON "promotion_usages"("id_promotions", "id_orders");

-- CreateIndex
CREATE INDEX "static_contents_type_idx" ON "static_contents"("type");

-- CreateIndex
CREATE INDEX "prescription_requests_id_menu_idx" ON "prescription_requests"("id_menu");

-- CreateIndex
CREATE INDEX "prescription_requests_id_threads_idx" ON "prescription_requests"("id_threads");

-- CreateIndex
CREATE INDEX "prescription_requests_status_created_at_idx" ON "prescription_requests"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "prescription_requests_id_users_id_menu_request_date_key" ON "prescription_requests"("id_users", "id_menu", "request_date");

-- CreateIndex
CREATE INDEX "service_categories_deleted_at_id_idx" ON "service_categories"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "services_deleted_at_id_idx" ON "services"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "services_id_service_categories_idx" ON "services"("id_service_categories");

-- CreateIndex
CREATE INDEX "services_is_available_idx" ON "services"("is_available");

-- CreateIndex
CREATE INDEX "services_services_name_idx" ON "services"("services_name");

-- CreateIndex
CREATE INDEX "service_images_id_services_is_primary_nomor_urut_tampil_idx" ON "service_images"("id_services", "is_primary", "nomor_urut_tampil");

-- CreateIndex
CREATE UNIQUE INDEX "doctors_id_users_key" ON "doctors"("id_users");

-- CreateIndex
CREATE INDEX "doctors_deleted_at_id_idx" ON "doctors"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "doctors_id_services_idx" ON "doctors"("id_services");

-- CreateIndex
CREATE INDEX "doctors_is_active_idx" ON "doctors"("is_active");

-- CreateIndex
CREATE INDEX "doctor_services_id_services_idx" ON "doctor_services"("id_services");

-- CreateIndex
CREATE INDEX "doctor_services_is_active_idx" ON "doctor_services"("is_active");

-- CreateIndex
CREATE UNIQUE INDEX "doctor_services_id_doctors_id_services_key" ON "doctor_services"("id_doctors", "id_services");

-- CreateIndex
CREATE INDEX "schedules_id_doctors_hari_jam_idx" ON "schedules"("id_doctors", "hari", "jam");

-- CreateIndex
CREATE INDEX "schedules_hari_idx" ON "schedules"("hari");

-- CreateIndex
CREATE INDEX "doctor_schedules_id_doctors_hari_jam_idx" ON "doctor_schedules"("id_doctors", "hari", "jam");

-- CreateIndex
CREATE INDEX "doctor_schedules_id_services_hari_idx" ON "doctor_schedules"("id_services", "hari");

-- CreateIndex
CREATE INDEX "doctor_schedules_is_active_idx" ON "doctor_schedules"("is_active");

-- CreateIndex
CREATE UNIQUE INDEX "doctor_schedules_id_doctor_services_hari_jam_key" ON "doctor_schedules"("id_doctor_services", "hari", "jam");

-- CreateIndex
CREATE UNIQUE INDEX "holidays_dates_key" ON "holidays"("dates");

-- CreateIndex
CREATE INDEX "user_schedules_id_users_tanggal_idx" ON "user_schedules"("id_users", "tanggal");

-- CreateIndex
CREATE INDEX "user_schedules_id_patients_tanggal_idx" ON "user_schedules"("id_patients", "tanggal");

-- CreateIndex
CREATE INDEX "user_schedules_id_doctors_tanggal_idx" ON "user_schedules"("id_doctors", "tanggal");

-- CreateIndex
CREATE INDEX "user_schedules_id_services_tanggal_idx" ON "user_schedules"("id_services", "tanggal");

-- CreateIndex
CREATE INDEX "user_schedules_status_tanggal_idx" ON "user_schedules"("status", "tanggal");

-- CreateIndex
CREATE INDEX "user_schedules_tanggal_jam_idx" ON "user_schedules"("tanggal", "jam");

-- CreateIndex
CREATE UNIQUE INDEX "user_schedules_id_doctor_schedules_tanggal_active_slot_key" ON "user_schedules"("id_doctor_schedules", "tanggal", "active_slot");

-- CreateIndex
CREATE UNIQUE INDEX "user_schedules_id_doctors_tanggal_jam_active_slot_key" ON "user_schedules"("id_doctors", "tanggal", "jam", "active_slot");

-- CreateIndex
CREATE INDEX "patients_id_users_deleted_at_idx" ON "patients"("id_users", "deleted_at");

-- CreateIndex
CREATE INDEX "patients_deleted_at_id_idx" ON "patients"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "patients_nama_lengkap_pasien_idx" ON "patients"("nama_lengkap_pasien");

-- CreateIndex
CREATE INDEX "patients_no_identitas_idx" ON "patients"("no_identitas");

-- CreateIndex
CREATE INDEX "patients_no_handphone_idx" ON "patients"("no_handphone");

-- CreateIndex
CREATE INDEX "patients_patient_external_id_idx" ON "patients"("patient_external_id");

-- CreateIndex
CREATE INDEX "patient_allergies_id_patients_deleted_at_idx" ON "patient_allergies"("id_patients", "deleted_at");

-- CreateIndex
CREATE INDEX "patient_rekam_medis_id_patients_tanggal_konsul_idx" ON "patient_rekam_medis"("id_patients", "tanggal_konsul");

-- CreateIndex
CREATE INDEX "patient_rekam_medis_verified_iduser_idx" ON "patient_rekam_medis"("verified_iduser");

-- CreateIndex
CREATE INDEX "patient_rekam_medis_created_by_iduser_idx" ON "patient_rekam_medis"("created_by_iduser");

-- CreateIndex
CREATE INDEX "patient_rekam_medis_id_rekam_medis_asal_idx" ON "patient_rekam_medis"("id_rekam_medis_asal");

-- CreateIndex
CREATE INDEX "patient_rekam_medis_is_verified_idx" ON "patient_rekam_medis"("is_verified");

-- CreateIndex
CREATE UNIQUE INDEX "orders_order_code_key" ON "orders"("order_code");

-- CreateIndex
CREATE INDEX "orders_id_member_order_date_idx" ON "orders"("id_member", "order_date");

-- CreateIndex
CREATE INDEX "orders_id_member_status_idx" ON "orders"("id_member", "status");

-- CreateIndex
CREATE INDEX "orders_id_patients_idx" ON "orders"("id_patients");

-- CreateIndex
CREATE INDEX "orders_id_admin_idx" ON "orders"("id_admin");

-- CreateIndex
CREATE INDEX "orders_id_promo_discount_applied_idx" ON "orders"("id_promo_discount_applied");

-- CreateIndex
CREATE INDEX "orders_status_order_date_idx" ON "orders"("status", "order_date");

-- CreateIndex
CREATE INDEX "orders_order_type_order_date_idx" ON "orders"("order_type", "order_date");

-- CreateIndex
CREATE INDEX "orders_order_date_idx" ON "orders"("order_date");

-- CreateIndex
CREATE INDEX "orders_is_paid_paid_date_idx" ON "orders"("is_paid", "paid_date");

-- CreateIndex
CREATE INDEX "orders_status_expires_at_idx" ON "orders"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "orders_id_member_id_patients_order_type_cart_open_key" ON "orders"("id_member", "id_patients", "order_type", "cart_open");

-- CreateIndex
CREATE INDEX "order_items_id_menu_idx" ON "order_items"("id_menu");

-- CreateIndex
CREATE INDEX "order_items_idstock_idx" ON "order_items"("idstock");

-- CreateIndex
CREATE UNIQUE INDEX "order_items_id_order_id_menu_key" ON "order_items"("id_order", "id_menu");

-- CreateIndex
CREATE INDEX "order_extras_id_doctors_idx" ON "order_extras"("id_doctors");

-- CreateIndex
CREATE UNIQUE INDEX "order_extras_id_orders_id_doctors_key" ON "order_extras"("id_orders", "id_doctors");

-- CreateIndex
CREATE INDEX "deliveries_distance_fr_distance_to_idx" ON "deliveries"("distance_fr", "distance_to");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_settings_scope_key" ON "delivery_settings"("scope");

-- CreateIndex
CREATE INDEX "delivery_settings_id_brandstore_gudang_idx" ON "delivery_settings"("id_brandstore_gudang");

-- CreateIndex
CREATE INDEX "courier_quotes_id_orders_courier_created_at_idx" ON "courier_quotes"("id_orders", "courier", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_payments_midtrans_order_id_key" ON "order_payments"("midtrans_order_id");

-- CreateIndex
CREATE INDEX "order_payments_status_expires_at_idx" ON "order_payments"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_payments_id_orders_attempt_key" ON "order_payments"("id_orders", "attempt");

-- CreateIndex
CREATE INDEX "payment_notifications_id_orders_created_at_idx" ON "payment_notifications"("id_orders", "created_at");

-- CreateIndex
CREATE INDEX "payment_notifications_order_id_idx" ON "payment_notifications"("order_id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_notifications_transaction_id_transaction_status_key" ON "payment_notifications"("transaction_id", "transaction_status");

-- CreateIndex
CREATE UNIQUE INDEX "user_points_id_orders_earned_key" ON "user_points"("id_orders_earned");

-- CreateIndex
CREATE INDEX "user_points_id_users_created_at_idx" ON "user_points"("id_users", "created_at");

-- CreateIndex
CREATE INDEX "user_points_id_orders_idx" ON "user_points"("id_orders");

-- CreateIndex
CREATE INDEX "user_points_is_expired_expired_date_idx" ON "user_points"("is_expired", "expired_date");

-- CreateIndex
CREATE INDEX "user_points_usecase_idx" ON "user_points"("usecase");

-- CreateIndex
CREATE UNIQUE INDEX "user_point_balances_id_users_key" ON "user_point_balances"("id_users");

-- CreateIndex
CREATE UNIQUE INDEX "ratings_id_orders_key" ON "ratings"("id_orders");

-- CreateIndex
CREATE INDEX "ratings_id_users_created_at_idx" ON "ratings"("id_users", "created_at");

-- CreateIndex
CREATE INDEX "ratings_ratings_idx" ON "ratings"("ratings");

-- CreateIndex
CREATE UNIQUE INDEX "order_code_counters_order_type_tanggal_key" ON "order_code_counters"("order_type", "tanggal");

-- CreateIndex
CREATE INDEX "threads_id_user_from_is_closed_last_update_at_idx" ON "threads"("id_user_from", "is_closed", "last_update_at");

-- CreateIndex
CREATE INDEX "threads_id_user_to_is_closed_last_update_at_idx" ON "threads"("id_user_to", "is_closed", "last_update_at");

-- CreateIndex
CREATE INDEX "threads_is_closed_thread_type_last_update_at_idx" ON "threads"("is_closed", "thread_type", "last_update_at");

-- CreateIndex
CREATE INDEX "threads_id_patients_idx" ON "threads"("id_patients");

-- CreateIndex
CREATE UNIQUE INDEX "threads_id_order_thread_type_key" ON "threads"("id_order", "thread_type");

-- CreateIndex
CREATE INDEX "thread_messages_id_threads_created_at_idx" ON "thread_messages"("id_threads", "created_at");

-- CreateIndex
CREATE INDEX "thread_messages_id_threads_is_read_id_user_from_idx" ON "thread_messages"("id_threads", "is_read", "id_user_from");

-- CreateIndex
CREATE INDEX "thread_messages_id_user_from_idx" ON "thread_messages"("id_user_from");

-- CreateIndex
CREATE INDEX "thread_messages_id_user_to_idx" ON "thread_messages"("id_user_to");

-- CreateIndex
CREATE INDEX "thread_messages_id_menu_idx" ON "thread_messages"("id_menu");

-- CreateIndex
CREATE UNIQUE INDEX "menu_reedems_id_thread_messages_key" ON "menu_reedems"("id_thread_messages");

-- CreateIndex
CREATE INDEX "menu_reedems_id_threads_idx" ON "menu_reedems"("id_threads");

-- CreateIndex
CREATE INDEX "menu_reedems_id_menu_idx" ON "menu_reedems"("id_menu");

-- CreateIndex
CREATE INDEX "menu_reedems_id_orders_idx" ON "menu_reedems"("id_orders");

-- CreateIndex
CREATE INDEX "menu_reedems_id_order_items_idx" ON "menu_reedems"("id_order_items");

-- CreateIndex
CREATE INDEX "menu_reedems_id_users_idx" ON "menu_reedems"("id_users");

-- CreateIndex
CREATE INDEX "notifications_id_user_to_created_at_idx" ON "notifications"("id_user_to", "created_at");

-- CreateIndex
CREATE INDEX "notifications_id_user_to_is_read_idx" ON "notifications"("id_user_to", "is_read");

-- CreateIndex
CREATE INDEX "notifications_id_user_from_idx" ON "notifications"("id_user_from");

-- CreateIndex
CREATE INDEX "notifications_priority_idx" ON "notifications"("priority");

-- CreateIndex
CREATE INDEX "notifications_reference_type_reference_id_idx" ON "notifications"("reference_type", "reference_id");

-- CreateIndex
CREATE INDEX "push_deliveries_status_next_attempt_at_idx" ON "push_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "push_deliveries_id_users_idx" ON "push_deliveries"("id_users");

-- CreateIndex
CREATE INDEX "push_deliveries_device_token_idx" ON "push_deliveries"("device_token");

-- CreateIndex
CREATE UNIQUE INDEX "push_deliveries_id_notifications_device_token_key" ON "push_deliveries"("id_notifications", "device_token");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_users_email_key" ON "users"("users_email");

-- CreateIndex
CREATE UNIQUE INDEX "users_users_phone_key" ON "users"("users_phone");

-- CreateIndex
CREATE INDEX "users_deleted_at_id_idx" ON "users"("deleted_at", "id");

-- CreateIndex
CREATE INDEX "users_is_blocked_idx" ON "users"("is_blocked");

-- CreateIndex
CREATE INDEX "users_positions_idx" ON "users"("positions");

-- CreateIndex
CREATE INDEX "user_roles_role_codes_idx" ON "user_roles"("role_codes");

-- CreateIndex
CREATE UNIQUE INDEX "user_roles_id_users_role_codes_key" ON "user_roles"("id_users", "role_codes");

-- CreateIndex
CREATE UNIQUE INDEX "departments_department_codes_key" ON "departments"("department_codes");

-- CreateIndex
CREATE INDEX "user_departments_id_departments_idx" ON "user_departments"("id_departments");

-- CreateIndex
CREATE UNIQUE INDEX "user_departments_id_users_id_departments_key" ON "user_departments"("id_users", "id_departments");

-- CreateIndex
CREATE UNIQUE INDEX "user_device_tokens_device_token_key" ON "user_device_tokens"("device_token");

-- CreateIndex
CREATE INDEX "user_device_tokens_id_users_idx" ON "user_device_tokens"("id_users");

-- CreateIndex
CREATE UNIQUE INDEX "logs_seq_key" ON "logs"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "logs_hash_key" ON "logs"("hash");

-- CreateIndex
CREATE INDEX "logs_id_users_created_at_idx" ON "logs"("id_users", "created_at");

-- CreateIndex
CREATE INDEX "logs_resource_resource_id_idx" ON "logs"("resource", "resource_id");

-- CreateIndex
CREATE INDEX "logs_id_patients_created_at_idx" ON "logs"("id_patients", "created_at");

-- CreateIndex
CREATE INDEX "logs_action_created_at_idx" ON "logs"("action", "created_at");

-- CreateIndex
CREATE INDEX "logs_created_at_idx" ON "logs"("created_at");

-- CreateIndex
CREATE INDEX "message_outbox_status_next_attempt_at_idx" ON "message_outbox"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "message_outbox_id_users_idx" ON "message_outbox"("id_users");

-- CreateIndex
CREATE UNIQUE INDEX "password_resets_token_hash_key" ON "password_resets"("token_hash");

-- CreateIndex
CREATE INDEX "password_resets_id_users_created_at_idx" ON "password_resets"("id_users", "created_at");

-- AddForeignKey
ALTER TABLE "menus" ADD CONSTRAINT "menus_id_menu_categories_1_fkey" FOREIGN KEY ("id_menu_categories_1") REFERENCES "menu_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menus" ADD CONSTRAINT "menus_id_menu_categories_2_fkey" FOREIGN KEY ("id_menu_categories_2") REFERENCES "menu_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menus" ADD CONSTRAINT "menus_id_menu_categories_3_fkey" FOREIGN KEY ("id_menu_categories_3") REFERENCES "menu_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_images" ADD CONSTRAINT "menu_images_id_menus_fkey" FOREIGN KEY ("id_menus") REFERENCES "menus"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "brandstore_menus" ADD CONSTRAINT "brandstore_menus_idmenu_fkey" FOREIGN KEY ("idmenu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "brandstore_menus" ADD CONSTRAINT "brandstore_menus_idbrandstore_fkey" FOREIGN KEY ("idbrandstore") REFERENCES "brandstore"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stocks" ADD CONSTRAINT "stocks_idbrandstoremenus_fkey" FOREIGN KEY ("idbrandstoremenus") REFERENCES "brandstore_menus"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_idstock_fkey" FOREIGN KEY ("idstock") REFERENCES "stocks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_id_menu_fkey" FOREIGN KEY ("id_menu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotion_usages" ADD CONSTRAINT "promotion_usages_id_promotions_fkey" FOREIGN KEY ("id_promotions") REFERENCES "promotions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotion_usages" ADD CONSTRAINT "promotion_usages_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotion_usages" ADD CONSTRAINT "promotion_usages_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription_requests" ADD CONSTRAINT "prescription_requests_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription_requests" ADD CONSTRAINT "prescription_requests_id_menu_fkey" FOREIGN KEY ("id_menu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription_requests" ADD CONSTRAINT "prescription_requests_id_threads_fkey" FOREIGN KEY ("id_threads") REFERENCES "threads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "services" ADD CONSTRAINT "services_id_service_categories_fkey" FOREIGN KEY ("id_service_categories") REFERENCES "service_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_images" ADD CONSTRAINT "service_images_id_services_fkey" FOREIGN KEY ("id_services") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctors" ADD CONSTRAINT "doctors_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctors" ADD CONSTRAINT "doctors_id_services_fkey" FOREIGN KEY ("id_services") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_services" ADD CONSTRAINT "doctor_services_id_doctors_fkey" FOREIGN KEY ("id_doctors") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_services" ADD CONSTRAINT "doctor_services_id_services_fkey" FOREIGN KEY ("id_services") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_id_doctors_fkey" FOREIGN KEY ("id_doctors") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_schedules" ADD CONSTRAINT "doctor_schedules_id_doctors_fkey" FOREIGN KEY ("id_doctors") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_schedules" ADD CONSTRAINT "doctor_schedules_id_doctor_services_fkey" FOREIGN KEY ("id_doctor_services") REFERENCES "doctor_services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_schedules" ADD CONSTRAINT "doctor_schedules_id_services_fkey" FOREIGN KEY ("id_services") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_schedules" ADD CONSTRAINT "user_schedules_id_doctors_fkey" FOREIGN KEY ("id_doctors") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_schedules" ADD CONSTRAINT "user_schedules_id_services_fkey" FOREIGN KEY ("id_services") REFERENCES "services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_schedules" ADD CONSTRAINT "user_schedules_id_doctor_schedules_fkey" FOREIGN KEY ("id_doctor_schedules") REFERENCES "doctor_schedules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_schedules" ADD CONSTRAINT "user_schedules_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_schedules" ADD CONSTRAINT "user_schedules_id_patients_fkey" FOREIGN KEY ("id_patients") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patients" ADD CONSTRAINT "patients_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_allergies" ADD CONSTRAINT "patient_allergies_id_patients_fkey" FOREIGN KEY ("id_patients") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_rekam_medis" ADD CONSTRAINT "patient_rekam_medis_id_patients_fkey" FOREIGN KEY ("id_patients") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_rekam_medis" ADD CONSTRAINT "patient_rekam_medis_verified_iduser_fkey" FOREIGN KEY ("verified_iduser") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_rekam_medis" ADD CONSTRAINT "patient_rekam_medis_created_by_iduser_fkey" FOREIGN KEY ("created_by_iduser") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_rekam_medis" ADD CONSTRAINT "patient_rekam_medis_id_rekam_medis_asal_fkey" FOREIGN KEY ("id_rekam_medis_asal") REFERENCES "patient_rekam_medis"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_id_member_fkey" FOREIGN KEY ("id_member") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_id_admin_fkey" FOREIGN KEY ("id_admin") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_id_patients_fkey" FOREIGN KEY ("id_patients") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_id_promo_discount_applied_fkey" FOREIGN KEY ("id_promo_discount_applied") REFERENCES "promotions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_id_order_fkey" FOREIGN KEY ("id_order") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_id_menu_fkey" FOREIGN KEY ("id_menu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_idstock_fkey" FOREIGN KEY ("idstock") REFERENCES "stocks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_extras" ADD CONSTRAINT "order_extras_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_extras" ADD CONSTRAINT "order_extras_id_doctors_fkey" FOREIGN KEY ("id_doctors") REFERENCES "doctors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_settings" ADD CONSTRAINT "delivery_settings_id_brandstore_gudang_fkey" FOREIGN KEY ("id_brandstore_gudang") REFERENCES "brandstore"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "courier_quotes" ADD CONSTRAINT "courier_quotes_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_payments" ADD CONSTRAINT "order_payments_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_notifications" ADD CONSTRAINT "payment_notifications_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_points" ADD CONSTRAINT "user_points_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_points" ADD CONSTRAINT "user_points_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_point_balances" ADD CONSTRAINT "user_point_balances_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_id_order_fkey" FOREIGN KEY ("id_order") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_id_user_from_fkey" FOREIGN KEY ("id_user_from") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_id_user_to_fkey" FOREIGN KEY ("id_user_to") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_id_patients_fkey" FOREIGN KEY ("id_patients") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_id_threads_fkey" FOREIGN KEY ("id_threads") REFERENCES "threads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_id_user_from_fkey" FOREIGN KEY ("id_user_from") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_id_user_to_fkey" FOREIGN KEY ("id_user_to") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_id_menu_fkey" FOREIGN KEY ("id_menu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_thread_messages_fkey" FOREIGN KEY ("id_thread_messages") REFERENCES "thread_messages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_threads_fkey" FOREIGN KEY ("id_threads") REFERENCES "threads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_menu_fkey" FOREIGN KEY ("id_menu") REFERENCES "menus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_orders_fkey" FOREIGN KEY ("id_orders") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_order_items_fkey" FOREIGN KEY ("id_order_items") REFERENCES "order_items"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "menu_reedems" ADD CONSTRAINT "menu_reedems_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_id_user_from_fkey" FOREIGN KEY ("id_user_from") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_id_user_to_fkey" FOREIGN KEY ("id_user_to") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "push_deliveries" ADD CONSTRAINT "push_deliveries_id_notifications_fkey" FOREIGN KEY ("id_notifications") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "push_deliveries" ADD CONSTRAINT "push_deliveries_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_departments" ADD CONSTRAINT "user_departments_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_departments" ADD CONSTRAINT "user_departments_id_departments_fkey" FOREIGN KEY ("id_departments") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_device_tokens" ADD CONSTRAINT "user_device_tokens_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_outbox" ADD CONSTRAINT "message_outbox_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_id_users_fkey" FOREIGN KEY ("id_users") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
