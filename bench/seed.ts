// Seeds a large, realistic dataset for `npm run bench` with bulk SQL (INSERT ... SELECT FROM
// generate_series): ids are 1..N in every table (TRUNCATE ... RESTART IDENTITY), so rows can
// reference each other arithmetically. Scale 1 = 5,000 products, 50,000 users, 200,000 orders with
// 600,000 items, 100,000 appointments, 500,000 messages. BENCH_SCALE=0.1 for a quick run.
import bcrypt from 'bcrypt';
import pg from 'pg';
import { applyPendingMigrations } from '../src/db/schema-engine.js';
import { createDatabase } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { appEnv } from './app-env.js';

export const BENCH_PASSWORD = 'bench-pass-123';

export interface BenchSizes {
  scale: number;
  users: number;
  doctors: number;
  customers: number;
  menus: number;
  stores: number;
  services: number;
  orders: number;
  appointments: number;
  threads: number;
  messages: number;
}

export function sizes(scale: number): BenchSizes {
  const n = (x: number, min = 1) => Math.max(min, Math.round(x * scale));
  const users = n(50_000, 100);
  const doctors = n(50, 5);
  return {
    scale,
    users,
    doctors,
    customers: users - 1 - doctors,
    menus: n(5_000, 30),
    stores: 20,
    services: 30,
    orders: n(200_000, 100),
    appointments: n(100_000, 100),
    threads: n(10_000, 10),
    messages: n(500_000, 500),
  };
}

/** Creates the database if needed and applies the migrations. */
export async function prepareDatabase(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists.rowCount) await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  // SSD/in-memory storage, as on any current server (README, "PostgreSQL"): with the default 4.0,
  // made for spinning disks, the planner chose a parallel sequential scan of all orders over the
  // trigram bitmap scans for orders/table's search as soon as the table had some dead rows
  // (157 ms and three processes against 67 ms). Set per database, so the app and the baseline
  // both plan with it.
  await c.query(`ALTER DATABASE "${name.replace(/"/g, '')}" SET random_page_cost = 1.1`);
  await c.end();
  const db = await createDatabase({ databaseUrl: url, poolMax: 2 });
  await applyPendingMigrations(db.adapterFactory);
  await db.close();
}

const MARK = (s: BenchSizes) => `bench seed v4 scale=${s.scale} users=${s.users} orders=${s.orders}`;

/** Seeds unless the database already holds this scale's data (marked in a table comment). */
export async function seed(url: string, s: BenchSizes, log: (m: string) => void = console.log): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const mark = await c.query(`SELECT obj_description('orders'::regclass) AS m`);
    if (mark.rows[0]?.m === MARK(s) && !process.env.BENCH_RESEED) return false;
    const hash = await bcrypt.hash(BENCH_PASSWORD, 10);
    const D = s.doctors;
    const firstCustomer = D + 2; // user 1 = owner, 2..D+1 = doctors
    const step = async (label: string, sql: string, params: unknown[] = []) => {
      const t0 = Date.now();
      // Generated numbers and one bcrypt hash only: inlined as literals (untyped bind parameters
      // would leave generate_series and arithmetic ambiguous).
      const text = sql.replace(/\$(\d+)/g, (_m, i: string) => {
        const v = params[Number(i) - 1];
        return typeof v === 'number' ? String(Math.trunc(v)) : `'${String(v).replace(/'/g, "''")}'`;
      });
      const r = await c.query(text);
      log(`  ${label}: ${r.rowCount ?? ''} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };
    await c.query('BEGIN');
    await c.query(`TRUNCATE users, menu_categories, menus, brandstore, services, logs RESTART IDENTITY CASCADE`);
    await step(
      'users',
      `INSERT INTO users (username, users_fullname, users_email, users_phone, password_hash, users_address, created_at, updated_at)
       SELECT CASE WHEN g = 1 THEN 'bench_owner' ELSE 'user' || g END,
              CASE WHEN g BETWEEN 2 AND $2 + 1 THEN 'dr. Dokter ' || g ELSE (ARRAY['Sari','Budi','Dewi','Andi','Rina','Agus','Putri','Eko'])[g % 8 + 1] || ' ' || (ARRAY['Wijaya','Santoso','Lestari','Pratama','Kusuma'])[g % 5 + 1] || ' ' || g END,
              'user' || g || '@bench.test', '08' || lpad(g::text, 10, '0'), $3, 'Jl. Bench ' || g || ', Bandung',
              now() - (g % 700) * interval '1 day', now()
       FROM generate_series(1, $1) g`,
      [s.users, D, hash],
    );
    await step(
      'user_roles',
      `INSERT INTO user_roles (id_users, role_codes)
       SELECT g, CASE WHEN g = 1 THEN 'OWNER' WHEN g <= $2 + 1 THEN 'DOCTOR' ELSE 'CUSTOMER' END FROM generate_series(1, $1) g
       UNION ALL SELECT 1, 'ADMIN'`,
      [s.users, D],
    );
    await step(
      'patients',
      `INSERT INTO patients (id_users, nama_lengkap_pasien, no_handphone, no_identitas, created_at, updated_at)
       SELECT u.id, u.users_fullname, u.users_phone, '3273' || lpad(u.id::text, 12, '0'), u.created_at, now()
       FROM users u WHERE u.id >= $1 ORDER BY u.id`,
      [firstCustomer],
    );
    await step('menu_categories', `INSERT INTO menu_categories (menu_categories, updated_at) SELECT 'Kategori ' || g, now() FROM generate_series(1, 50) g`);
    await step(
      'menus',
      `INSERT INTO menus (nama_menus, brief, harga, pajak, is_featured, is_resep_required, id_menu_categories_1, id_menu_categories_2, satuan, berat, created_at, updated_at)
       SELECT (ARRAY['Serum','Night Cream','Toner','Cleanser','Sunscreen','Mask','Essence','Moisturizer'])[g % 8 + 1] || ' ' ||
              (ARRAY['Acne','Brightening','Age Corrector','Hydrating','Pore','Calming','Barrier'])[g % 7 + 1] || ' ' || g,
              'Produk perawatan kulit ' || g, 25000 + (g % 40) * 5000, 0, (g % 10 = 0)::int, (g % 6 = 0)::int,
              g % 50 + 1, CASE WHEN g % 3 = 0 THEN (g * 7) % 50 + 1 END, 'pcs', 30 + g % 200, now(), now()
       FROM generate_series(1, $1) g`,
      [s.menus],
    );
    await step(
      'brandstore',
      `INSERT INTO brandstore (nama, city, groupname, lat, lng, opentime, closetime, updated_at)
       SELECT 'Colederma ' || g, (ARRAY['Bandung','Jakarta','Surabaya','Bogor'])[g % 4 + 1], (ARRAY['STS','CLD'])[g % 2 + 1],
              -6.9 + g * 0.01, 107.6 + g * 0.01, '08:00', '21:00', now() FROM generate_series(1, $1) g`,
      [s.stores],
    );
    await step(
      'brandstore_menus',
      `INSERT INTO brandstore_menus (idmenu, idbrandstore, updated_at)
       SELECT m, (m + k * 7) % $2 + 1, now() FROM generate_series(1, $1) m, generate_series(0, 1) k ORDER BY m, k`,
      [s.menus, s.stores],
    );
    await step('stocks', `INSERT INTO stocks (idbrandstoremenus, quantitytotal, datetimeupdateat) SELECT id, 10 + id % 500, now() FROM brandstore_menus ORDER BY id`);
    // Store 1 is the warehouse online orders take their stock from (deliveries/settings), so the
    // checkout path reserves stock as in production: it holds every product, in amounts no bench
    // run sells out. The settings row is the one the app would make from its configuration.
    await step(
      'warehouse products',
      `INSERT INTO brandstore_menus (idmenu, idbrandstore, updated_at) SELECT m, 1, now() FROM generate_series(1, $1) m ON CONFLICT (idmenu, idbrandstore) DO NOTHING`,
      [s.menus],
    );
    await step(
      'warehouse stock',
      `INSERT INTO stocks (idbrandstoremenus, quantitytotal, datetimeupdateat) SELECT bm.id, 1000000, now() FROM brandstore_menus bm WHERE bm.idbrandstore = 1
       ON CONFLICT (idbrandstoremenus) DO UPDATE SET quantitytotal = 1000000`,
    );
    const cfg = loadConfig(appEnv(url, 0));
    await c.query(
      `INSERT INTO delivery_settings (scope, kode_kota_asal, kode_kecamatan_asal, lat_gudang, lng_gudang, alamat_gudang, kode_kurir, id_brandstore_gudang, updated_at)
       VALUES ('default', $1, $2, $3, $4, $5, $6, 1, now())
       ON CONFLICT (scope) DO UPDATE SET id_brandstore_gudang = 1`,
      [cfg.SHIPPING_ORIGIN_CITY, cfg.SHIPPING_ORIGIN_DISTRICT, cfg.WAREHOUSE_LAT, cfg.WAREHOUSE_LNG, cfg.WAREHOUSE_ADDRESS, cfg.SHIPPING_COURIERS],
    );
    await step(
      'services',
      `INSERT INTO services (services_name, services_price, buffer_time, updated_at)
       SELECT (ARRAY['Art Peel','Bubble Glow','Facial','Micro B','Laser','Peeling'])[g % 6 + 1] || ' ' || g, 150000 + g * 10000, 30 + (g % 3) * 15, now()
       FROM generate_series(1, $1) g`,
      [s.services],
    );
    await step(
      'doctors',
      `INSERT INTO doctors (id_users, id_services, custom_price, updated_at)
       SELECT g + 1, g % $2 + 1, 200000 + (g % 5) * 50000, now() FROM generate_series(1, $1) g`,
      [D, s.services],
    );
    await step(
      'doctor_services',
      `INSERT INTO doctor_services (id_doctors, id_services, is_active, updated_at)
       SELECT d, (d + k * 7) % $2 + 1, 1, now() FROM generate_series(1, $1) d, generate_series(0, 2) k ORDER BY d, k`,
      [D, s.services],
    );
    // 7 days x 4 one-hour slots per doctor service; a doctor's three services use distinct hours.
    await step(
      'doctor_schedules',
      `INSERT INTO doctor_schedules (id_doctors, id_doctor_services, id_services, hari, jam, jam_selesai, updated_at)
       SELECT ds.id_doctors, ds.id, ds.id_services, (ARRAY['Senin','Selasa','Rabu','Kamis','Jumat','Sabtu','Minggu'])[h + 1],
              make_time(8 + ((ds.id - 1) % 3) * 4 + k, 0, 0), make_time(9 + ((ds.id - 1) % 3) * 4 + k, 0, 0), now()
       FROM doctor_services ds, generate_series(0, 6) h, generate_series(0, 3) k ORDER BY ds.id, h, k`,
    );
    // Appointments: booking i takes slot (i mod slots) in week (i div slots), weeks centred on today.
    await step(
      'user_schedules',
      `WITH n AS (SELECT count(*)::int AS slots FROM doctor_schedules),
            b AS (SELECT i, ds.*, (date_trunc('week', now() AT TIME ZONE 'Asia/Jakarta')::date
                     - (($1 / (SELECT slots FROM n)) / 2) * 7 + (i / (SELECT slots FROM n)) * 7
                     + array_position(ARRAY['Senin','Selasa','Rabu','Kamis','Jumat','Sabtu','Minggu'], ds.hari::text) - 1) AS day
                  FROM generate_series(0, $1 - 1) i JOIN doctor_schedules ds ON ds.id = i % (SELECT slots FROM n) + 1)
       INSERT INTO user_schedules (id_doctors, id_services, id_doctor_schedules, id_users, id_patients, custom_price, hari, tanggal, jam, jam_selesai,
                                   status, active_slot, reschedule_counts, updated_at)
       SELECT b.id_doctors, b.id_services, b.id, $2 + (i * 7919) % $3, 1 + (i * 7919) % $3, 150000, b.hari, b.day, b.jam, b.jam_selesai,
              CASE WHEN i % 10 = 0 THEN 'CANCEL' WHEN b.day < current_date THEN (ARRAY['DONE','DONE','ARRIVED'])[i % 3 + 1] WHEN i % 7 = 0 THEN 'RESCHEDULE' ELSE 'BOOKING' END,
              CASE WHEN i % 10 = 0 THEN NULL ELSE 1 END, (i % 7 = 0)::int, now()
       FROM b ORDER BY i`,
      [s.appointments, firstCustomer, s.customers],
    );
    // Orders: 80 % e-commerce, 20 % consultations; paid over the last two years.
    await step(
      'orders',
      `INSERT INTO orders (order_type, order_code, status, cart_open, id_member, id_patients, nama_pemesan, notelp_pemesan, email_pemesan,
                           alamat_pemesan, alamat_kirim, order_date, checkout_datetime, total_price, total_discount, courier_price, poin_used,
                           grand_totals, is_paid, paid_date, pay_channel, is_canceled, cancel_datetime, reservation_status, updated_at)
       SELECT t, t || '-' || to_char(od, 'YYYYMMDD') || '-' || lpad(g::text, 7, '0'), st, NULL, cust, cust - $2 + 1,
              u.users_fullname, u.users_phone, u.users_email, u.users_address, u.users_address, od, od + interval '5 minutes',
              price, disc, courier, 0, price - disc + courier, paid, CASE WHEN paid = 1 THEN od + interval '20 minutes' END,
              CASE WHEN paid = 1 THEN 'qris' ELSE '' END, (st = 'CANCEL')::int, CASE WHEN st = 'CANCEL' THEN od + interval '1 day' END,
              CASE WHEN paid = 1 AND st <> 'CANCEL' THEN 'CONSUMED' ELSE 'RELEASED' END, now()
       FROM (SELECT g, CASE WHEN g % 5 = 0 THEN 'C' ELSE 'E' END AS t,
                    ($2 + (g::bigint * 104729) % $3)::int AS cust,
                    now() - ((g * 7907) % 730) * interval '1 day' - ((g * 31) % 1440) * interval '1 minute' AS od,
                    (ARRAY['DONE','DONE','DONE','PAID','PREPARED','PROCESSING','PICKUP','DELIVERED','CHECKOUT','CANCEL'])[g % 10 + 1] AS st,
                    CASE WHEN g % 10 = 8 THEN 0 ELSE 1 END AS paid,
                    CASE WHEN g % 5 = 0 THEN 300000 ELSE 150000 + (g % 9) * 25000 END AS price,
                    CASE WHEN g % 11 = 0 THEN 10000 ELSE 0 END AS disc,
                    CASE WHEN g % 5 = 0 THEN 0 ELSE 15000 END AS courier
             FROM generate_series(1, $1) g) o
       JOIN users u ON u.id = o.cust ORDER BY g`,
      [s.orders, firstCustomer, s.customers],
    );
    // Products only on e-commerce (E) orders (a consultation, C, carries its doctor in order_extras):
    // three distinct products per order, a fourth on three orders in four, so 600,000 lines at scale 1.
    // The line totals are what total_price says only approximately — the bench measures queries,
    // not bookkeeping.
    await step(
      'order_items',
      `INSERT INTO order_items (id_order, id_menu, qty, price, price_total, nama_menus, order_datetime, updated_at)
       SELECT o, m.id, 1 + (o + k) % 3, m.harga, (1 + (o + k) % 3) * m.harga, m.nama_menus, now(), now()
       FROM generate_series(1, $1) o CROSS JOIN generate_series(0, 3) k
       JOIN menus m ON m.id = (o * 7 + k * ($2 / 4)) % $2 + 1
       WHERE o % 5 <> 0 AND (k < 3 OR o % 4 <> 0) ORDER BY o, k`,
      [s.orders, s.menus],
    );
    await step(
      'order_extras',
      `INSERT INTO order_extras (id_orders, id_doctors, extra_prices, updated_at)
       SELECT id, id % $1 + 1, 300000, now() FROM orders WHERE order_type = 'C' ORDER BY id`,
      [D],
    );
    // A consultation thread is opened when its C order is paid (consultations module): thread g
    // belongs to order 5g (every fifth order is a paid C order), from its customer and patient to
    // the user of the order's doctor, with the consultation window after payment; one whose window
    // has passed is closed at its end, as the consultations' job leaves it (else the API's first minute
    // under the bench would be that job closing all of them).
    await step(
      'threads',
      `INSERT INTO threads (thread_type, id_order, id_user_from, id_user_to, id_patients, estimate_done_at, is_closed, closed_at, last_update_at, created_at, updated_at)
       SELECT 'online_consultations', o.id, o.id_member, d.id_users, o.id_patients, o.paid_date + interval '1 day',
              (o.paid_date + interval '1 day' <= now())::int,
              CASE WHEN o.paid_date + interval '1 day' <= now() THEN o.paid_date + interval '1 day' END, now(), o.paid_date, now()
       FROM generate_series(1, $1) g JOIN orders o ON o.id = g * 5 JOIN order_extras e ON e.id_orders = o.id JOIN doctors d ON d.id = e.id_doctors
       ORDER BY g`,
      [s.threads],
    );
    await step(
      'thread_messages',
      `INSERT INTO thread_messages (id_threads, id_user_from, id_user_to, content_type, content, is_read, created_at, updated_at)
       SELECT t.id, CASE WHEN i % 2 = 0 THEN t.id_user_from ELSE t.id_user_to END, CASE WHEN i % 2 = 0 THEN t.id_user_to ELSE t.id_user_from END,
              'text', 'Pesan konsultasi nomor ' || i, (i % 50 < 45)::int, t.created_at + i * interval '1 minute', now()
       FROM generate_series(0, $1 - 1) i JOIN threads t ON t.id = i % $2 + 1 ORDER BY i`,
      [s.messages, s.threads],
    );
    await c.query(`COMMENT ON TABLE orders IS '${MARK(s)}'`);
    await c.query('COMMIT');
    // VACUUM as well: sets the visibility map, as autovacuum does on a live database after bulk
    // inserts (index-only scans depend on it; a test server may run with autovacuum off).
    await step('vacuum analyze', 'VACUUM (ANALYZE)');
    return true;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await c.end();
  }
}
