// The checkout path: open a cart, put a product in it, set the delivery address, ask for courier
// quotes, choose one, check out — the six calls the mobile app makes. Measured as whole paths (each virtual customer runs them in sequence, 32 at a time), since
// each path needs its own cart; the baseline does the same writes in plain SQL.
import type pg from 'pg';
import type { BenchSizes } from './seed.js';

export const CHECKOUT_ROUTES = ['/orders/init', '/orders/e_add_to_carts', '/orders/{id}/update/address', '/deliveries/calculate', '/orders/{id}/process/courier', '/orders/{id}/checkout'];

/** The i-th checkout customer and their patient (customers are users D+2.. with patient = user - D - 1). */
export function checkoutCustomer(s: BenchSizes, i: number) {
  const user = s.doctors + 2 + ((i * 9973) % s.customers);
  // every 6th product needs a doctor's prescription (seed.ts): the app only buys the others
  const m = 1 + ((i * 31) % s.menus);
  return { user, patient: user - s.doctors - 1, menu: m % 6 === 0 ? m - 1 : m };
}

export async function checkoutBaseline(pool: pg.Pool, s: BenchSizes, body: { i: number }) {
  const { user, patient, menu } = checkoutCustomer(s, body.i);
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const [o] = (
      await c.query(
        `INSERT INTO orders (order_type, status, id_member, id_patients, nama_pemesan, updated_at)
         SELECT 'E', 'SHOPPING CARTS', u.id, $2, u.users_fullname, now() FROM users u WHERE u.id = $1
         ON CONFLICT (id_member, id_patients, order_type, cart_open) DO UPDATE SET updated_at = now() RETURNING id`,
        [user, patient],
      )
    ).rows;
    await c.query(
      `INSERT INTO order_items (id_order, id_menu, qty, price, price_total, nama_menus, updated_at)
       SELECT $1, m.id, 1, m.harga, m.harga, m.nama_menus, now() FROM menus m WHERE m.id = $2
       ON CONFLICT (id_order, id_menu) DO UPDATE SET qty = 1, updated_at = now()`,
      [o.id, menu],
    );
    const stock = await c.query(
      `UPDATE stocks SET quantitytotal = quantitytotal - 1, datetimeupdateat = now()
       WHERE id = (SELECT s.id FROM stocks s JOIN brandstore_menus bm ON bm.id = s.idbrandstoremenus WHERE bm.idmenu = $1 AND bm.idbrandstore = 1)
         AND quantitytotal >= 1`,
      [menu],
    );
    // the address and the courier (the app also stores and checks a quote; the baseline just sets them)
    await c.query(
      `UPDATE orders SET kode_provinsi = '6', kode_kota = '152', kode_kecamatan = '1374', alamat_kirim = 'Jl. Bench 1, Gambir',
              courier = 'jne', courier_service = 'REG', courier_price = 10000, is_courier = 1, courier_datetime = now() WHERE id = $1`,
      [o.id],
    );
    const code = await c.query(
      `INSERT INTO order_code_counters (order_type, tanggal, last_number, updated_at) VALUES ('E', current_date, 1, now())
       ON CONFLICT (order_type, tanggal) DO UPDATE SET last_number = order_code_counters.last_number + 1 RETURNING last_number`,
    );
    await c.query(
      `UPDATE orders SET status = 'CHECKOUT', cart_open = NULL, order_code = $2, checkout_datetime = now(),
              total_price = (SELECT sum(price_total) FROM order_items WHERE id_order = $1),
              grand_totals = (SELECT sum(price_total) FROM order_items WHERE id_order = $1) + 10000, reservation_status = 'RESERVED'
       WHERE id = $1`,
      [o.id, `B-${Date.now()}-${code.rows[0].last_number}-${o.id}`],
    );
    await c.query('COMMIT');
    return { checkout: true, id: o.id, stock: stock.rowCount };
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}
