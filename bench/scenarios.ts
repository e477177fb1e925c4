// What `npm run bench` measures: each scenario is one API request (as the app and the dashboard
// send it) plus a baseline that answers the same question with plain node:http + pg, so the ratio
// shows the framework's overhead (Express, zod, auth, Prisma) over the bare queries.
import bcrypt from 'bcrypt';
import type pg from 'pg';
import type { BenchSizes } from './seed.js';

export type Who = 'public' | 'owner' | 'customer';

export interface Scenario {
  name: string;
  method: 'POST' | 'GET' | 'PUT';
  /** the API path (with query string) */
  path: string;
  /** the OpenAPI path that must exist for the scenario to run */
  route: string;
  who: Who;
  body: (s: BenchSizes) => unknown;
  /**
   * The i-th request's body, where the requests must differ (`body` is then the first one's): every
   * sign-in of one account is counted against its lockout while its password is compared, so 32 at a
   * time of one account would be mostly refused.
   */
  bodyAt?: (s: BenchSizes, i: number) => unknown;
  /** the plain-SQL answer to the same request */
  baseline: (pool: pg.Pool, s: BenchSizes, body: any) => Promise<unknown>;
}

const rows = async (pool: pg.Pool, text: string, values: unknown[] = []) => (await pool.query(text, values)).rows;

export const CUSTOMER_USERNAME = (s: BenchSizes) => `user${s.doctors + 2}`;

export const scenarios: Scenario[] = [
  {
    name: 'menus/explore',
    method: 'POST',
    path: '/menus/explore?page=1&length=10',
    route: '/menus/explore',
    who: 'public',
    body: () => ({ nama_menus: 'Acne' }),
    baseline: async (pool, _s, body) => {
      const like = `%${body.nama_menus}%`;
      const [count, data] = await Promise.all([
        rows(pool, 'SELECT count(*)::int AS n FROM menus WHERE deleted_at IS NULL AND nama_menus ILIKE $1', [like]),
        rows(
          pool,
          `SELECT m.*, c.menu_categories AS category_1,
                  (SELECT i.menu_image FROM menu_images i WHERE i.id_menus = m.id ORDER BY i.is_primary DESC, i.nomor_urut_tampil, i.id LIMIT 1) AS img
           FROM menus m LEFT JOIN menu_categories c ON c.id = m.id_menu_categories_1
           WHERE m.deleted_at IS NULL AND m.nama_menus ILIKE $1 ORDER BY m.id DESC LIMIT 10`,
          [like],
        ),
      ]);
      return { page: 1, length: 10, totaldata: count[0].n, data };
    },
  },
  {
    name: 'brandstore_menus/search',
    method: 'POST',
    path: '/brandstore_menus/search',
    route: '/brandstore_menus/search',
    who: 'public',
    body: () => ({ idbrandstore: 2, limit: 10 }),
    baseline: async (pool, _s, body) => ({
      brandstoremenus: await rows(
        pool,
        `SELECT bm.*, m.nama_menus, m.harga, m.pajak, s.id AS idstock, s.quantitytotal AS stocks
         FROM brandstore_menus bm JOIN menus m ON m.id = bm.idmenu LEFT JOIN stocks s ON s.idbrandstoremenus = bm.id
         WHERE bm.idbrandstore = $1 AND m.deleted_at IS NULL ORDER BY bm.id DESC LIMIT $2`,
        [body.idbrandstore, body.limit],
      ),
    }),
  },
  {
    name: 'menus/:id (product page)',
    method: 'GET',
    path: '/menus/1',
    route: '/menus/{id}',
    who: 'public',
    body: () => undefined,
    baseline: async (pool) => ({
      menus: (
        await rows(
          pool,
          `SELECT m.*, (SELECT i.menu_image FROM menu_images i WHERE i.id_menus = m.id ORDER BY i.is_primary DESC, i.nomor_urut_tampil, i.id LIMIT 1) AS images
           FROM menus m WHERE m.id = $1 AND m.deleted_at IS NULL`,
          [1],
        )
      )[0],
    }),
  },
  {
    name: 'orders/:id (order details, staff)',
    method: 'GET',
    path: '/orders/1',
    route: '/orders/{id}',
    who: 'owner',
    body: () => undefined,
    baseline: async (pool) => {
      const [order, items] = await Promise.all([
        rows(
          pool,
          `SELECT o.*, row_to_json(u) AS member, row_to_json(p) AS patients
           FROM orders o JOIN users u ON u.id = o.id_member LEFT JOIN patients p ON p.id = o.id_patients WHERE o.id = $1`,
          [1],
        ),
        rows(pool, 'SELECT * FROM order_items WHERE id_order = $1 ORDER BY id', [1]),
      ]);
      return { orders: { ...order[0], order_items: items } };
    },
  },
  {
    name: 'orders/table (global search)',
    method: 'POST',
    path: '/orders/table',
    route: '/orders/table',
    who: 'owner',
    body: () => ({ draw: 1, start: 0, length: 10, 'search[value]': 'Sari' }),
    baseline: async (pool, _s, body) => {
      const like = `%${body['search[value]']}%`;
      const base = `status <> 'SHOPPING CARTS'`;
      const search = `(order_code ILIKE $1 OR nama_pemesan ILIKE $1 OR notelp_pemesan ILIKE $1 OR email_pemesan ILIKE $1)`;
      const [total, filtered, data] = await Promise.all([
        rows(pool, `SELECT count(*)::int AS n FROM orders WHERE ${base}`),
        rows(pool, `SELECT count(*)::int AS n FROM orders WHERE ${base} AND ${search}`, [like]),
        rows(pool, `SELECT * FROM orders WHERE ${base} AND ${search} ORDER BY id DESC LIMIT 10`, [like]),
      ]);
      return { draw: 1, recordsTotal: total[0].n, recordsFiltered: filtered[0].n, data: data.map((r) => Object.values(r)) };
    },
  },
  {
    name: 'thread_messages/explore',
    method: 'POST',
    path: '/thread_messages/explore?page=1&length=10',
    route: '/thread_messages/explore',
    who: 'owner',
    body: () => ({ id_threads: 1 }),
    baseline: async (pool, _s, body) => {
      const [count, data] = await Promise.all([
        rows(pool, 'SELECT count(*)::int AS n FROM thread_messages WHERE id_threads = $1 AND deleted_at IS NULL', [body.id_threads]),
        rows(pool, 'SELECT * FROM thread_messages WHERE id_threads = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 10', [body.id_threads]),
      ]);
      return { page: 1, length: 10, totaldata: count[0].n, data };
    },
  },
  {
    name: 'user_schedules/check/doctor/availability',
    method: 'POST',
    path: '/user_schedules/check/doctor/availability',
    route: '/user_schedules/check/doctor/availability',
    who: 'customer',
    // doctor 1 offers services 2, 9 and 16 (see seed.ts)
    body: () => ({ id_doctors: 1, id_services: 2 }),
    baseline: async (pool, _s, body) => {
      const [slots, booked, holidays] = await Promise.all([
        rows(
          pool,
          `SELECT ds.*, s.services_name, u.users_fullname AS doctors FROM doctor_schedules ds JOIN services s ON s.id = ds.id_services
           JOIN doctors d ON d.id = ds.id_doctors JOIN users u ON u.id = d.id_users
           WHERE ds.id_doctors = $1 AND ds.id_services = $2 AND ds.deleted_at IS NULL AND ds.is_active = 1 ORDER BY ds.hari, ds.jam`,
          [body.id_doctors, body.id_services],
        ),
        rows(pool, `SELECT id_doctor_schedules, tanggal, jam, jam_selesai FROM user_schedules WHERE id_doctors = $1 AND tanggal BETWEEN current_date AND current_date + 14 AND active_slot = 1`, [body.id_doctors]),
        rows(pool, `SELECT dates FROM holidays WHERE dates BETWEEN current_date AND current_date + 14`),
      ]);
      return { slots, booked, holidays };
    },
  },
  {
    name: 'report/penjualan/stats (full dataset)',
    method: 'POST',
    path: '/report/penjualan/stats',
    route: '/report/penjualan/stats',
    who: 'owner',
    body: () => ({}),
    baseline: async (pool) =>
      (
        await rows(
          pool,
          `SELECT count(*) FILTER (WHERE order_type = 'E')::int AS total_sales, count(*) FILTER (WHERE order_type = 'C')::int AS total_online_consultation,
                  coalesce(sum(grand_totals) FILTER (WHERE order_type = 'E'), 0)::bigint AS amount_sales,
                  coalesce(sum(grand_totals) FILTER (WHERE order_type = 'C'), 0)::bigint AS amount_online_consultation,
                  coalesce(sum(total_discount), 0)::bigint AS amount_discount, coalesce(sum(grand_totals), 0)::bigint AS amount_total,
                  count(DISTINCT id_member)::int AS total_customer
           FROM orders WHERE is_paid = 1 AND is_canceled = 0 AND status <> 'CANCEL' AND paid_date IS NOT NULL`,
        )
      )[0],
  },
  {
    name: 'report/penjualan/overall (one month)',
    method: 'POST',
    path: '/report/penjualan/overall',
    route: '/report/penjualan/overall',
    who: 'owner',
    body: () => ({ draw: 1, start: 0, length: 10, tgl_awal: monthAgo(), tgl_akhir: today() }),
    baseline: async (pool) => {
      const where = `is_paid = 1 AND is_canceled = 0 AND status <> 'CANCEL' AND paid_date >= (current_date - 30)::timestamp AT TIME ZONE 'Asia/Jakarta'`;
      const [n, data] = await Promise.all([
        rows(pool, `SELECT count(*)::int AS n FROM orders WHERE ${where}`),
        rows(pool, `SELECT order_code, order_date, order_type, nama_pemesan, total_price, total_discount, courier_price, poin_used, grand_totals, status FROM orders WHERE ${where} ORDER BY paid_date DESC, id DESC LIMIT 10`),
      ]);
      return { draw: 1, recordsTotal: n[0].n, recordsFiltered: n[0].n, data: data.map((r) => Object.values(r)) };
    },
  },
  {
    name: 'users/login',
    method: 'POST',
    path: '/users/login',
    route: '/users/login',
    who: 'public',
    body: (s) => ({ username: CUSTOMER_USERNAME(s), password: 'bench-pass-123' }),
    // many customers signing in at once, each account once at a time (see bodyAt)
    bodyAt: (s, i) => ({ username: `user${s.doctors + 2 + (i % s.customers)}`, password: 'bench-pass-123' }),
    baseline: async (pool, _s, body) => {
      const [u] = await rows(pool, 'SELECT id, users_phone, users_email, password_hash FROM users WHERE username = $1 AND deleted_at IS NULL', [body.username]);
      const ok = u && (await bcrypt.compare(body.password, u.password_hash));
      if (!ok) return { status: 401 };
      await pool.query('UPDATE users SET last_login_at = now(), num_of_login_attempts = 0 WHERE id = $1', [u.id]);
      return { users_phone: u.users_phone, users_email: u.users_email, login: true, id: u.id };
    },
  },
];

function today() {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}
function monthAgo() {
  return new Date(Date.now() + 7 * 3_600_000 - 30 * 86_400_000).toISOString().slice(0, 10);
}
