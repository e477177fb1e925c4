import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { clinicDateTime, MIDTRANS_KEY, newPerson, OWNER, register, type World } from './world.js';

export { clinicDateTime };

/**
 * What the shop's journeys share: staff setting up the shop, a customer filling a cart, Midtrans
 * telling the webhook what happened to a payment. Only the public API, with what earlier answers gave.
 */

/** The owner signs in and creates an admin account through users/create; the admin signs in. */
export async function staffSignsIn(w: World) {
  const owner = await w.signIn(OWNER.username, OWNER.password);
  const person = newPerson('admin');
  await register(w, person, { roles: ['ADMIN'], positions: 'Admin' }, owner.bearer);
  return w.signIn(person.username, person.password);
}

/** Staff put a product on sale in the warehouse store with `stock` units and publish a promotion code. */
export async function staffStockTheShop(w: World, admin: string, { stock = 10, code = 'JOURNEY25', lat = 0, lng = 0 } = {}) {
  const menu = (await w.call('post', '/menus/create', admin, { nama_menus: 'Sunscreen SPF 50', brief: 'Tabir surya', harga: 100_000, pajak: 0, is_resep_required: 0, satuan: 'Tube', berat: '400' })).body.menus;
  const store = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Dago', alamat: 'Jl. Dago 1', notelp: '0221234567', opentime: '09:00', closetime: '20:00', city: 'Bandung', lat, lng, is_show: 1, groupname: 'CLD' })).body.brandstore;
  await w.call('post', '/brandstore_menus/create', admin, { idmenu: menu.id, idbrandstore: store.id, quantitytotal: stock });
  await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: store.id });
  const promo = (
    await w.call('post', '/promotions/create', admin, { type: 'POTONGAN', value: 25_000, quota: 100, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(30), display_codes: code, title: 'Journey', max_uses_per_customer: 2 })
  ).body.promotions;
  return { menuId: Number(menu.id), storeId: Number(store.id), code: promo.display_codes as string, promoId: Number(promo.id) };
}

/** A new customer signs up, signs in, registers a phone and adds the patient the orders are for. */
export async function newCustomer(w: World, prefix: string, device: string) {
  const person = newPerson(prefix);
  await register(w, person);
  const me = await w.signIn(person.username, person.password);
  await w.call('post', '/users/register_device_token', me.bearer, { device_token: device, already_login: false });
  const patient = (await w.call('post', '/patients/create', me.bearer, { nama_lengkap_pasien: `Pasien ${prefix}`, jenis_kelamin: 'P', tanggal_lahir: '12/03/1990', alamat_domisili: 'Bandung' })).body.patients;
  return { person, ...me, patientId: patient.id as number };
}

/** A cart of the patient's with `qty` of the product and a delivery address (no courier yet). */
export async function cartWithAddress(w: World, customer: string, patientId: number, menuId: number, qty: number, at = { lat: -6.89, lng: 107.61 }) {
  const cart = (await w.call('post', '/orders/init', customer, { id_patients: patientId, order_type: 'E' })).body.orders;
  await w.call('post', '/orders/e_add_to_carts', customer, { id_order: cart.id, items: [{ id_menu: menuId, qty }] });
  await w.call('put', `/orders/${cart.id}/update/address`, customer, { lat_kirim: at.lat, lng_kirim: at.lng, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
  return cart.id as number;
}

/** The JNE REG price RajaOngkir quotes for the cart, chosen as its courier. */
export async function chooseJne(w: World, customer: string, orderId: number) {
  const quotes = (await w.call('post', '/deliveries/calculate', customer, { id_order: orderId, courier: 'jne' })).body;
  const reg = quotes[0].costs.find((c: { service: string }) => c.service === 'REG');
  await w.call('put', `/orders/${orderId}/process/courier`, customer, { courier: 'jne', costs: String(reg.cost[0].value) });
  return reg.cost[0].value as number;
}

/** A cart of the patient's with `qty` of the product, shipped by JNE at the first quoted price. */
export async function fillCart(w: World, customer: string, patientId: number, menuId: number, qty: number) {
  const orderId = await cartWithAddress(w, customer, patientId, menuId, qty);
  return { orderId, shipping: await chooseJne(w, customer, orderId) };
}

/** Staff find the paid order in their list and walk it through fulfilment to the courier with a tracking number. */
export async function staffShip(w: World, admin: string, orderCode: string, resi: string) {
  const paid = (await w.call('post', '/orders/explore?page=1&length=50', admin, { status_array: ['PAID'], order_type: 'E' })).body.data as { id: number; order_code: string }[];
  const orderId = paid.find((o) => o.order_code === orderCode)!.id;
  for (const step of ['prepared', 'processing', 'pickup']) await w.call('put', `/orders/${orderId}/${step}`, admin, {});
  await w.call('put', `/orders/${orderId}/process/noresi`, admin, { nomor_resi: resi });
}

/** The Midtrans order_id and amount of the Snap transaction behind a checkout's token. */
export function snapOf(w: World, snapToken: string) {
  const snap = w.midtrans.snapRequests.find((r) => snapToken.startsWith('tok-') && snapToken.endsWith(`-${r.transaction_details.order_id}`));
  expect(snap, 'the Snap transaction behind the token').toBeDefined();
  return { order_id: snap.transaction_details.order_id as string, gross: snap.transaction_details.gross_amount as number };
}

/**
 * Midtrans notifies the webhook of `status` for the Snap transaction behind `snapToken` (signed as
 * Midtrans signs it); its status API says the same from then on. Answers the webhook's body.
 */
export async function midtransNotifies(w: World, snapToken: string, status: string, extra: Record<string, unknown> = {}) {
  const { order_id, gross } = snapOf(w, snapToken);
  const status_code = status === 'settlement' || status.includes('refund') || status.includes('chargeback') ? '200' : '202';
  const gross_amount = `${gross}.00`;
  const signature_key = createHash('sha512').update(order_id + status_code + gross_amount + MIDTRANS_KEY).digest('hex');
  const body = { transaction_status: status, transaction_id: `trx-${order_id}`, status_code, gross_amount, signature_key, payment_type: 'bank_transfer', order_id, fraud_status: 'accept', ...extra };
  w.midtrans.statuses.set(order_id, { ...body, status_message: 'Success' });
  const res = await w.t.http.post('/payments/webhooks/midtrans').send(body);
  expect(res.status).toBe(200);
  return res.body as { status: string; result: string };
}

/** The stock the store's row of the product shows staff. */
export async function stockIn(w: World, admin: string, storeId: number, menuId: number) {
  const rows = (await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: storeId })).body.brandstoremenus;
  return Number(rows.find((r: { idmenu: number }) => Number(r.idmenu) === menuId).stocks);
}

/** The customer's balance as users/data shows it, and as the sum of the user_points ledger. */
export async function pointsOf(w: World, customer: string) {
  const balance = (await w.call('get', '/users/data', customer)).body.users.total_point as number;
  const rows = (await w.call('post', '/user_points/explore?page=1&length=100', customer, {})).body.data as Record<string, unknown>[];
  return { balance, rows };
}

/** The intentions of the customer's notifications about one reference (an order, an appointment). */
export async function notificationsAbout(w: World, bearer: string, referenceId: number) {
  const notes = (await w.call('post', '/notifications/explore?page=1&length=100', bearer, {})).body.data as { reference_id: number | string; reference_type: string; intentions: string; title: string; content: string }[];
  return notes.filter((n) => Number(n.reference_id) === referenceId);
}

/** A CSV download (`?format=csv`) as rows of cells (RFC 4180, byte order mark dropped). */
export async function csv(w: World, bearer: string, path: string, body: object) {
  const res = await w.t.http.post(`${path}?format=csv`).set('Authorization', `Bearer ${bearer}`).send(body).buffer(true).parse((r, cb) => {
    let s = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (s += c));
    r.on('end', () => cb(null, s));
  });
  expect({ path, status: res.status, type: String(res.headers['content-type']).split(';')[0] }).toEqual({ path, status: 200, type: 'text/csv' });
  const text = (res.body as string).replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** the JSON table rows as the CSV prints them */
export const asCells = (rows: unknown[][]) => rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))));
