import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { PNG_1PX, TEST_PASSWORD } from '../helpers/app.js';
import { signToken } from '../../src/http/authenticate.js';
import { hashSecret } from '../../src/modules/recovery/recovery.service.js';
import { eCart, givePoints, patientOf, promotion, stockOf } from '../commerce/fixtures.js';
import { settlementNotification } from '../commerce/fake-midtrans.js';
import { appointment, bookableSlot } from '../security/fixtures.js';
import { clinicDateTime, clinicDayAhead, MIDTRANS_KEY, type World } from '../journeys/world.js';

/** One request as a client sends it. */
export interface Send {
  method: 'post' | 'put' | 'delete';
  path: string;
  /** the caller's token (null: no one signed in) */
  bearer: string | null;
  body?: Record<string, unknown>;
  /** multipart: `body` as form fields plus this file */
  attach?: { field: string; file: Buffer; name: string };
}

export interface Case {
  /** the route as route-table.ts labels it ("PUT /orders/:id/checkout"); its other methods share the handler */
  route: string;
  /** a second case of a route: the path it takes */
  variant?: string;
  /** a fresh, valid request of the route's legitimate caller (called twice per case) */
  setup: (w: World) => Promise<Send>;
  /**
   * what is written outside the request's transaction on purpose, by table, with the reason it is
   * right: only those columns of the table may differ (`columns`), or the whole table (none named)
   */
  outside?: Record<string, { columns?: string[]; reason: string }>;
  /** after the failed request: checks that what stayed is right (e.g. the retry finishes the change) */
  verify?: (w: World, failed: Send) => Promise<void>;
}

let n = 0;
const uniq = () => `${Date.now().toString(36)}${++n}`;

const staff = async (w: World) => (await w.t.user(['ADMIN'])).token;

const db = (w: World) => w.t.app.db;

/**
 * A password check counts as a sign-in attempt before the password is compared, and a right one
 * sets the count back to 0, each in a statement of its own (users.service countSignInAttempt,
 * releaseSignInAttempts): guesses sent at once are bounded, and a right password is no failure
 * whether or not what it was for then commits. The count ends where it was; the row's updated_at moves.
 */
const SIGN_IN_COUNTER = { columns: ['num_of_login_attempts', 'updated_at'], reason: 'the sign-in attempt counter, counted and released outside the request' };

/** the right password's attempt is no failure: the count is back at 0 (the account is not nearer its lockout) */
async function countBackAtZero(w: World, failed: Send) {
  const u = failed.body?.username ? { username: String(failed.body.username) } : { id: Number(failed.path.split('/')[2]) };
  expect((await db(w).user.findFirstOrThrow({ where: u })).num_of_login_attempts).toBe(0);
}

const put = (path: string, bearer: string, body: Record<string, unknown> = {}): Send => ({ method: 'put', path, bearer, body });
const post = (path: string, bearer: string | null, body: Record<string, unknown> = {}): Send => ({ method: 'post', path, bearer, body });
const del = (path: string, bearer: string): Send => ({ method: 'delete', path, bearer });
const upload = (path: string, bearer: string, body: Record<string, unknown> = {}, field = 'picture'): Send => ({ method: 'post', path, bearer, body, attach: { field, file: PNG_1PX, name: 'p.png' } });

/** A picture already stored for a row (its name), so that a request removing or replacing it too early shows. */
const stored = (w: World, area: 'public' | 'private', resource: string) => w.t.app.storage.save(area, resource, { buffer: PNG_1PX, ext: 'png' });

/** The create, update and delete of a staff resource: `row` makes one straight in the database. */
function crud(resource: string, create: (w: World) => Promise<Record<string, unknown>>, update: (w: World) => Promise<Record<string, unknown>>, row: (w: World) => Promise<{ id: number }>): Case[] {
  return [
    { route: `POST /${resource}/create`, setup: async (w) => post(`/${resource}/create`, await staff(w), await create(w)) },
    { route: `PUT /${resource}/:id/update`, setup: async (w) => put(`/${resource}/${(await row(w)).id}/update`, await staff(w), await update(w)) },
    { route: `DELETE /${resource}/:id/delete`, setup: async (w) => del(`/${resource}/${(await row(w)).id}/delete`, await staff(w)) },
  ];
}

/**
 * The create, update and delete of a catalogue picture row (menu_images, service_images): `insert`
 * makes one straight in the database, for its parent (`parentKey`) with a stored file (`column`).
 */
function imageCases(
  resource: string,
  parentKey: string,
  newParent: (w: World) => Promise<{ id: number }>,
  column: string,
  folder: string,
  insert: (w: World, data: Record<string, unknown>) => Promise<{ id: number }>,
): Case[] {
  const row = async (w: World, fields: Record<string, unknown> = {}) => insert(w, { [parentKey]: (await newParent(w)).id, [column]: await stored(w, 'public', folder), ...fields });
  return [
    { route: `POST /${resource}/create`, setup: async (w) => upload(`/${resource}/create`, await staff(w), { [parentKey]: (await newParent(w)).id }) },
    {
      route: `PUT /${resource}/:id/update`,
      setup: async (w) => ({ ...upload(`/${resource}/${(await row(w, { is_primary: 1 })).id}/update`, await staff(w), { nomor_urut_tampil: 2 }), method: 'put' }),
    },
    { route: `DELETE /${resource}/:id/delete`, setup: async (w) => del(`/${resource}/${(await row(w)).id}/delete`, await staff(w)) },
  ];
}

const newMenu = (w: World, fields: Record<string, unknown> = {}) => db(w).menu.create({ data: { nama_menus: `Serum ${uniq()}`, harga: 100_000, satuan: 'Jar', berat: 200, ...fields } });
const newService = (w: World) => db(w).service.create({ data: { services_name: `Facial ${uniq()}`, services_price: 150_000, buffer_time: 30 } });
const newStore = (w: World) => db(w).brandstore.create({ data: { nama: `Toko ${uniq()}` } });
/** A product of a store, with 4 in stock. */
async function storeProduct(w: World) {
  const sm = await db(w).brandstoreMenu.create({ data: { idmenu: (await newMenu(w)).id, idbrandstore: (await newStore(w)).id } });
  await db(w).stock.create({ data: { idbrandstoremenus: sm.id, quantitytotal: 4 } });
  return sm;
}
const newDoctor = async (w: World) => {
  const u = await w.t.user(['DOCTOR']);
  return { user: u, doctor: await db(w).doctor.create({ data: { id_users: u.id, custom_price: 150_000, is_active: 1 } }) };
};
const dmy = (days: number) => clinicDayAhead(days).dmy;
const holiday = (w: World) => db(w).holiday.create({ data: { dates: new Date(`${clinicDayAhead(600 + ++n).iso}T00:00:00Z`), descriptions: 'Libur' } });


/** Midtrans' notification as received: kept before it is processed (see the settlement case). */
const RECEIVED: Case['outside'] = { payment_notifications: { reason: 'the notification as Midtrans sent it, stored before it is processed' } };

/** What a checkout whose payment could not start leaves: see the checkout case. */
const CHECKOUT_UNDONE: Case['outside'] = {
  order_payments: { reason: 'the failed payment attempt' },
  order_code_counters: { reason: 'the order code given to the attempt is not given out again' },
  stock_movements: { reason: 'the reservation and its release in the stock ledger' },
  orders: { columns: ['order_code', 'payment_attempts', 'updated_at'], reason: "the attempt's code and number stay on the order" },
  stocks: { columns: ['datetimeupdateat'], reason: 'reserved and given back: the quantity is as it was' },
  order_items: { columns: ['updated_at'], reason: "the lines' reservation, made and undone" },
};

/** A customer's consultation cart with a doctor chosen. */
async function consultCart(w: World) {
  const c = await w.t.user(['CUSTOMER']);
  const init = await ok(w, 'post', '/orders/init', c.token, { id_patients: (await patientOf(w.t, c)).id, order_type: 'C' });
  await ok(w, 'post', '/orders/c_add_to_carts', c.token, { id_order: init.body.orders.id, items: [{ id_doctors: (await newDoctor(w)).doctor.id, qty: 1 }] });
  return { c, orderId: init.body.orders.id as number };
}

/** the same-day journey's warehouse in Dago; a customer 2.6 km north of it */
const WAREHOUSE = { lat: -6.8853, lng: 107.6135 };

/** A customer with a phone number of their own (WhatsApp recovery). */
async function phoneUser(w: World) {
  const phone = `62813${String(++n).padStart(8, '0')}`;
  return { u: await w.t.user(['CUSTOMER'], { users_phone: phone }), phone };
}

/** A request made while setting up, which must succeed. */
async function ok(w: World, method: 'post' | 'put', path: string, bearer: string, body: Record<string, unknown>) {
  const res = await w.t.http[method](path).set('Authorization', `Bearer ${bearer}`).send(body);
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res;
}

/** A customer's E cart with one product in stock (and a courier chosen, unless said). */
async function cart(w: World, { courier = true } = {}) {
  const c = await w.t.user(['CUSTOMER']);
  const m = await newMenu(w);
  await stockOf(w.t, m.id, 10);
  if (courier) return { c, orderId: await eCart(w.t, c, [{ id_menu: m.id, qty: 1 }]) };
  const init = await ok(w, 'post', '/orders/init', c.token, { id_patients: (await patientOf(w.t, c)).id, order_type: 'E' });
  await ok(w, 'post', '/orders/e_add_to_carts', c.token, { id_order: init.body.orders.id, items: [{ id_menu: m.id, qty: 1 }] });
  await ok(w, 'put', `/orders/${init.body.orders.id}/update/address`, c.token, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
  return { c, orderId: init.body.orders.id as number };
}

/** A checked-out order taken by staff through `steps` (paid, prepared, processing, pickup, noresi, consignee, cancel). */
async function orderAt(w: World, steps: readonly string[]) {
  const { c, orderId } = await cart(w);
  await ok(w, 'put', `/orders/${orderId}/checkout`, c.token, {});
  const admin = await staff(w);
  for (const step of steps) {
    const body = step === 'paid' ? { pay_channel: 'cash' } : step === 'noresi' ? { nomor_resi: `JNE${uniq()}` } : step === 'cancel' ? { cancel_reason: 'Batal' } : {};
    await ok(w, 'put', `/orders/${orderId}/${step === 'noresi' ? 'process/noresi' : step}`, admin, body);
  }
  return { c, orderId };
}

/** A consultation thread of a customer's patient with a doctor. */
async function thread(w: World, fields: Record<string, unknown> = {}) {
  const customer = await w.t.user(['CUSTOMER']);
  const { user: doctor } = await newDoctor(w);
  const th = await db(w).thread.create({ data: { id_user_from: customer.id, id_user_to: doctor.id, id_patients: (await patientOf(w.t, customer)).id, ...fields } });
  return { id: th.id, customer, doctor };
}

export const CASES: Case[] = [
  // ------------------------------------------------------------------ identity
  ...crud(
    'departments',
    async () => ({ department_name: 'Dep', department_codes: `D${uniq()}` }),
    async () => ({ department_name: 'Renamed' }),
    (w) => db(w).department.create({ data: { department_name: 'Dep', department_codes: `D${uniq()}` } }),
  ),
  ...crud(
    'user_departments',
    async (w) => ({ id_departments: (await db(w).department.create({ data: { department_name: 'Dep', department_codes: `D${uniq()}` } })).id, id_users: (await w.t.user(['ADMIN'])).id }),
    async (w) => ({ id_departments: (await db(w).department.create({ data: { department_name: 'Dep', department_codes: `D${uniq()}` } })).id, id_users: (await w.t.user(['ADMIN'])).id }),
    async (w) => db(w).userDepartment.create({ data: { id_departments: (await db(w).department.create({ data: { department_name: 'Dep', department_codes: `D${uniq()}` } })).id, id_users: (await w.t.user(['ADMIN'])).id } }),
  ),
  ...crud(
    'roles',
    async (w) => ({ iduser: (await w.t.user(['CUSTOMER'])).id, rolecodes: 'DOCTOR' }),
    async (w) => ({ iduser: (await w.t.user(['CUSTOMER'])).id, rolecodes: 'DOCTOR' }),
    async (w) => (await db(w).userRole.findFirstOrThrow({ where: { id_users: (await w.t.user(['CUSTOMER', 'DOCTOR'])).id, role_codes: 'DOCTOR' } })),
  ),
  // ------------------------------------------------------------------ catalogue
  ...crud(
    'menu_categories',
    async () => ({ menu_categories: `Serum ${uniq()}`, codes: 'SR', color: '#AA0000' }),
    async () => ({ menu_categories: `Renamed ${uniq()}` }),
    (w) => db(w).menuCategory.create({ data: { menu_categories: `Cat ${uniq()}` } }),
  ),
  { route: 'POST /menu_categories/:id/uploads', setup: async (w) => upload(`/menu_categories/${(await db(w).menuCategory.create({ data: { menu_categories: `Cat ${uniq()}`, images: await stored(w, 'public', 'menu_categories') } })).id}/uploads`, await staff(w)) },
  ...crud(
    'menus',
    async () => ({ nama_menus: `Sunscreen ${uniq()}`, harga: 100_000, satuan: 'Tube', berat: '400' }),
    async () => ({ harga: 120_000 }),
    (w) => newMenu(w),
  ),
  ...imageCases('menu_images', 'id_menus', (w) => newMenu(w), 'menu_image', 'menus', (w, data) => db(w).menuImage.create({ data: data as any })),
  ...crud(
    'brandstore',
    async () => ({ nama: `Toko ${uniq()}`, alamat: 'Jl. Dago 1', opentime: '09:00', closetime: '20:00', city: 'Bandung', is_show: 1 }),
    async () => ({ alamat: 'Jl. Baru 2' }),
    (w) => newStore(w),
  ),
  { route: 'POST /brandstore_menus/create', setup: async (w) => post('/brandstore_menus/create', await staff(w), { idmenu: (await newMenu(w)).id, idbrandstore: (await newStore(w)).id, quantitytotal: 5 }) },
  {
    route: 'POST /brandstore_menus/create/bulk',
    setup: async (w) => ({ method: 'post', path: '/brandstore_menus/create/bulk', bearer: await staff(w), // the bulk create's body is a list
    body: [{ idmenu: (await newMenu(w)).id, idbrandstore: (await newStore(w)).id, quantitytotal: 5 }] as unknown as Record<string, unknown> }),
  },
  {
    route: 'POST /brandstore_menus/:id/duplicates',
    setup: async (w) => {
      const sm = await storeProduct(w);
      return post(`/brandstore_menus/${sm.id}/duplicates`, await staff(w), { idbrandstore: (await newStore(w)).id });
    },
  },
  {
    route: 'PUT /brandstore_menus/:id/stocks',
    setup: async (w) => {
      const sm = await storeProduct(w);
      return put(`/brandstore_menus/${sm.id}/stocks`, await staff(w), { delta: 3, note: 'restock' });
    },
  },
  {
    route: 'DELETE /brandstore_menus/:id/delete',
    setup: async (w) => {
      const sm = await storeProduct(w);
      return del(`/brandstore_menus/${sm.id}/delete`, await staff(w));
    },
  },
  ...crud(
    'static_contents',
    async () => ({ type: `about-${uniq()}`, contents: 'Colederma' }),
    async () => ({ contents: 'Baru' }),
    (w) => db(w).staticContent.create({ data: { type: `t-${uniq()}`, contents: 'Isi' } }),
  ),
  // ------------------------------------------------------------------ clinic catalogue
  ...crud(
    'service_categories',
    async () => ({ service_categories: `Layanan ${uniq()}`, codes: 'L1' }),
    async () => ({ service_categories: `Renamed ${uniq()}` }),
    (w) => db(w).serviceCategory.create({ data: { service_categories: `Layanan ${uniq()}` } }),
  ),
  { route: 'POST /service_categories/:id/uploads', setup: async (w) => upload(`/service_categories/${(await db(w).serviceCategory.create({ data: { service_categories: `L ${uniq()}`, images: await stored(w, 'public', 'service_categories') } })).id}/uploads`, await staff(w)) },
  ...crud(
    'services',
    async () => ({ services_name: `Facial ${uniq()}`, services_price: '150000', buffer_time: '30' }),
    async () => ({ services_price: 175_000 }),
    (w) => newService(w),
  ),
  ...imageCases('service_images', 'id_services', newService, 'service_image', 'services', (w, data) => db(w).serviceImage.create({ data: data as any })),
  ...crud(
    'doctors',
    async (w) => ({ id_users: (await w.t.user(['DOCTOR'])).id, custom_price: 200_000, doctor_description: 'Sp.KK', is_active: 1 }),
    async () => ({ custom_price: 210_000 }),
    async (w) => (await newDoctor(w)).doctor,
  ),
  ...crud(
    'doctor_services',
    async (w) => ({ id_doctors: (await newDoctor(w)).doctor.id, id_services: (await newService(w)).id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 }),
    async () => ({ custom_price: 90_000 }),
    async (w) => db(w).doctorService.create({ data: { id_doctors: (await newDoctor(w)).doctor.id, id_services: (await newService(w)).id, is_active: 1 } }),
  ),
  ...crud(
    'schedules',
    async (w) => ({ id_doctors: (await newDoctor(w)).doctor.id, hari: 'Senin', jam: '09:00', jam_selesai: '12:00' }),
    async () => ({ jam_selesai: '13:00' }),
    async (w) => db(w).schedule.create({ data: { id_doctors: (await newDoctor(w)).doctor.id, hari: 'Senin', jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 12)) } }),
  ),
  ...crud(
    'deliveries',
    async () => ({ distance_fr: 1000 + ++n * 10, distance_to: 1005 + n * 10, segment: 'Zona', price_in_km: 6_800 }),
    async () => ({ distance_fr: 1000 + ++n * 10, distance_to: 1005 + n * 10, price_in_km: 7_000 }),
    (w) => db(w).delivery.create({ data: { distance_fr: 1000 + ++n * 10, distance_to: 1005 + n * 10, segment: 'Zona', price_in_km: 5_000 } }),
  ),
  // ------------------------------------------------------------------ accounts
  {
    route: 'POST /users/create',
    setup: async () => {
      const u = `new${uniq()}`;
      return post('/users/create', null, { username: u, users_fullname: 'Baru', users_email: `${u}@example.com`, users_phone: `0857${String(++n).padStart(8, '0')}`, password: 'pw-secret-123', retype_password: 'pw-secret-123' });
    },
  },
  { route: 'PUT /users/:id/update', setup: async (w) => { const c = await w.t.user(['CUSTOMER']); return put(`/users/${c.id}/update`, c.token, { users_address: 'Jl. Baru 3' }); } },
  { route: 'DELETE /users/:id/delete', setup: async (w) => del(`/users/${(await w.t.user(['CUSTOMER'], { users_picture: await stored(w, 'public', 'users') })).id}/delete`, await staff(w)) },
  {
    route: 'POST /users/login',
    setup: async (w) => post('/users/login', null, { act: 'login', username: (await w.t.user(['CUSTOMER'])).username, password: TEST_PASSWORD, app: 'mobile' }),
    outside: { users: SIGN_IN_COUNTER },
    verify: countBackAtZero,
  },
  { route: 'POST /users/register_device_token', setup: async (w) => post('/users/register_device_token', (await w.t.user(['CUSTOMER'])).token, { device_token: `device-${uniq()}`, already_login: false }) },
  { route: 'POST /users/picture/upload', setup: async (w) => upload('/users/picture/upload', (await w.t.user(['CUSTOMER'], { users_picture: await stored(w, 'public', 'users') })).token) },
  {
    route: 'POST /users/:id/unblock',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER'], { is_blocked: 1, num_of_login_attempts: 5 });
      return post(`/users/${c.id}/unblock`, await staff(w));
    },
  },
  {
    route: 'POST /users/:id/update/password',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      return post(`/users/${c.id}/update/password`, c.token, { prev_password: TEST_PASSWORD, new_password: 'a-new-pass-456', new_password_confirm: 'a-new-pass-456' });
    },
    outside: { users: SIGN_IN_COUNTER },
    verify: countBackAtZero,
  },
  { route: 'POST /users/:id/update/password/admin', setup: async (w) => post(`/users/${(await w.t.user(['CUSTOMER'])).id}/update/password/admin`, await staff(w), { new_password: 'a-new-pass-456', new_password_confirm: 'a-new-pass-456' }) },
  { route: 'POST /users/:email/recovery/password/email', setup: async (w) => post(`/users/${(await w.t.user(['CUSTOMER'])).username}@example.com/recovery/password/email`, null, undefined) },
  {
    route: 'POST /users/:email/forgot/:hash/password/email',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const secret = `secret${uniq()}abcdefghijklmnop`;
      await db(w).passwordReset.create({ data: { id_users: c.id, channel: 'email', token_hash: hashSecret(secret), expires_at: new Date(Date.now() + 20 * 60_000) } });
      return post(`/users/${c.username}@example.com/forgot/${secret}/password/email`, null, { new_password: 'a-new-pass-456', confirm_new_password: 'a-new-pass-456' });
    },
  },
  { route: 'POST /users/:phone/recovery/password/wa', setup: async (w) => post(`/users/${(await phoneUser(w)).phone}/recovery/password/wa`, null) },
  {
    route: 'POST /users/:phone/forgot/:hash/password/wa',
    setup: async (w) => {
      const { u, phone } = await phoneUser(w);
      const secret = `secret${uniq()}abcdefghijklmnop`;
      await db(w).passwordReset.create({ data: { id_users: u.id, channel: 'wa', token_hash: hashSecret(secret), expires_at: new Date(Date.now() + 20 * 60_000) } });
      return post(`/users/${phone}/forgot/${secret}/password/wa`, null, { new_password: 'a-new-pass-456', confirm_new_password: 'a-new-pass-456' });
    },
  },
  // ------------------------------------------------------------------ patients
  { route: 'POST /patients/create', setup: async (w) => post('/patients/create', (await w.t.user(['CUSTOMER'])).token, { nama_lengkap_pasien: 'Pasien', jenis_kelamin: 'P', tanggal_lahir: '12/03/1990', allergies: ['Debu', 'Udang'] }) },
  {
    route: 'PUT /patients/:id/update',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const p = await patientOf(w.t, c, { allergies: { create: [{ allergies: 'Debu' }] } });
      return put(`/patients/${p.id}/update`, c.token, { nama_lengkap_pasien: 'Renamed', allergies: ['Kacang'] });
    },
  },
  {
    route: 'DELETE /patients/:id/delete',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      return del(`/patients/${(await patientOf(w.t, c, { allergies: { create: [{ allergies: 'Debu' }] } })).id}/delete`, c.token);
    },
  },
  { route: 'PUT /patients/:id/update/address', setup: async (w) => { const c = await w.t.user(['CUSTOMER']); return put(`/patients/${(await patientOf(w.t, c)).id}/update/address`, c.token, { kota: 'CIMAHI', kode_kota: '312' }); } },
  {
    route: 'POST /patients/picture/upload',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      return upload('/patients/picture/upload', c.token, { id_patients: (await patientOf(w.t, c, { patient_picture: await stored(w, 'private', 'patients') })).id });
    },
  },
  { route: 'PUT /users/patients/link', setup: async (w) => put('/users/patients/link', await staff(w), { id_users: (await w.t.user(['CUSTOMER'])).id, id_patients: (await db(w).patient.create({ data: { nama_lengkap_pasien: 'Walk-in' } })).id }) },
  { route: 'PUT /users/patients/unlink', setup: async (w) => put('/users/patients/unlink', await staff(w), { id_patients: (await patientOf(w.t, await w.t.user(['CUSTOMER']))).id }) },
  { route: 'POST /patient_allergies/create', setup: async (w) => { const c = await w.t.user(['CUSTOMER']); return post('/patient_allergies/create', c.token, { id_patients: (await patientOf(w.t, c)).id, allergies: 'Debu' }); } },
  {
    route: 'PUT /patient_allergies/:id/update',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const p = await patientOf(w.t, c);
      const a = await db(w).patientAllergy.create({ data: { id_patients: p.id, allergies: 'Debu' } });
      return put(`/patient_allergies/${a.id}/update`, c.token, { id_patients: p.id, allergies: 'Udang' });
    },
  },
  {
    route: 'DELETE /patient_allergies/:id/delete',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const a = await db(w).patientAllergy.create({ data: { id_patients: (await patientOf(w.t, c)).id, allergies: 'Debu' } });
      return del(`/patient_allergies/${a.id}/delete`, c.token);
    },
  },
  {
    route: 'POST /patient_rekam_medis/create',
    setup: async (w) => post('/patient_rekam_medis/create', await staff(w), { id_patients: (await patientOf(w.t, await w.t.user(['CUSTOMER']))).id, tanggal_konsul: '01/12/2026', keluhan: 'Jerawat', diagnosa: 'Acne' }),
  },
  ...(['update', 'delete', 'verify', 'unverify'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /patient_rekam_medis/:id/delete' : `PUT /patient_rekam_medis/:id/${action}`,
      setup: async (w) => {
        const p = await patientOf(w.t, await w.t.user(['CUSTOMER']));
        const admin = await w.t.user(['ADMIN']);
        const r = await db(w).patientRekamMedis.create({
          data: { id_patients: p.id, tanggal_konsul: new Date(Date.UTC(2026, 11, 1)), keluhan: 'Jerawat', diagnosa: 'Acne', created_by_iduser: admin.id, ...(action === 'unverify' ? { is_verified: 1, verified_iduser: admin.id, verified_at: new Date() } : {}) },
        });
        if (action === 'delete') return del(`/patient_rekam_medis/${r.id}/delete`, admin.token);
        return put(`/patient_rekam_medis/${r.id}/${action}`, admin.token, action === 'update' ? { diagnosa: 'Acne vulgaris' } : { catatan_kaki: 'Periksa ulang', ...(action === 'unverify' ? { reason: 'Salah' } : {}) });
      },
    }),
  ),
  // ------------------------------------------------------------------ clinic
  {
    route: 'POST /doctor_schedules/generate',
    setup: async (w) => {
      const d = await newDoctor(w);
      await db(w).doctorService.create({ data: { id_doctors: d.doctor.id, id_services: (await newService(w)).id, is_active: 1 } });
      await db(w).schedule.create({ data: { id_doctors: d.doctor.id, hari: 'Senin', jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 11)) } });
      return post('/doctor_schedules/generate', await staff(w), { id_doctors: d.doctor.id });
    },
  },
  {
    route: 'POST /doctor_schedules/create',
    setup: async (w) => {
      const d = await newDoctor(w);
      const ds = await db(w).doctorService.create({ data: { id_doctors: d.doctor.id, id_services: (await newService(w)).id, is_active: 1 } });
      return post('/doctor_schedules/create', await staff(w), { id_doctor_services: ds.id, hari: 'Senin', jam: '08:00' });
    },
  },
  ...(['update', 'delete', 'activate', 'unactivate'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /doctor_schedules/:id/delete' : `PUT /doctor_schedules/:id/${action}`,
      setup: async (w) => {
        const s = await bookableSlot(w.t, 9);
        if (action === 'activate') await db(w).doctorSchedule.update({ where: { id: s.slot.id }, data: { is_active: 0 } });
        if (action === 'delete') return del(`/doctor_schedules/${s.slot.id}/delete`, await staff(w));
        return put(`/doctor_schedules/${s.slot.id}/${action}`, await staff(w), action === 'update' ? { custom_price: 99_000 } : {});
      },
    }),
  ),
  { route: 'POST /holidays/create', setup: async (w) => post('/holidays/create', await staff(w), { dates: dmy(400 + ++n), descriptions: 'Libur' }) },
  { route: 'POST /holidays/:id/update', setup: async (w) => post(`/holidays/${(await holiday(w)).id}/update`, await staff(w), { descriptions: 'Cuti bersama' }) },
  { route: 'DELETE /holidays/:id/delete', setup: async (w) => del(`/holidays/${(await holiday(w)).id}/delete`, await staff(w)) },
  {
    route: 'POST /user_schedules/create',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const s = await bookableSlot(w.t, 8);
      return post('/user_schedules/create', c.token, { id_doctor_schedules: s.slot.id, tanggal: s.tanggal, id_patients: (await patientOf(w.t, c)).id });
    },
  },
  ...(['reschedule', 'update'] as const).map(
    (action): Case => ({
      route: `PUT /user_schedules/:id/${action}`,
      setup: async (w) => {
        const c = await w.t.user(['CUSTOMER']);
        const s = await bookableSlot(w.t, 8);
        const a = await appointment(w.t, s, c.id, (await patientOf(w.t, c)).id);
        const later = await bookableSlot(w.t, 9, { doctor: s.doctorUser });
        return put(`/user_schedules/${a.id}/${action}`, c.token, { id_doctor_schedules: later.slot.id, tanggal: later.tanggal });
      },
    }),
  ),
  ...(['cancel', 'arrived', 'done', 'delete'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /user_schedules/:id/delete' : `PUT /user_schedules/:id/${action}`,
      setup: async (w) => {
        const c = await w.t.user(['CUSTOMER']);
        const s = await bookableSlot(w.t, action === 'cancel' ? 8 : 0);
        const a = await appointment(w.t, s, c.id, (await patientOf(w.t, c)).id, action === 'done' ? { status: 'ARRIVED' } : {});
        if (action === 'delete') return del(`/user_schedules/${a.id}/delete`, await staff(w));
        return put(`/user_schedules/${a.id}/${action}`, action === 'cancel' ? c.token : await staff(w), action === 'done' ? { digisoft_invoice_numbers: '0001/2026/12-CLD' } : {});
      },
    }),
  ),
  // ------------------------------------------------------------------ notifications and logs
  {
    route: 'PUT /notifications/:id/mark/as/read',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const note = await db(w).notification.create({ data: { id_user_from: c.id, id_user_to: c.id, intentions: 'info', title: 'Hai', content: 'Isi' } });
      return put(`/notifications/${note.id}/mark/as/read`, c.token);
    },
  },
  {
    route: 'PUT /notifications/mark/all',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      await db(w).notification.createMany({ data: [1, 2].map((i) => ({ id_user_from: c.id, id_user_to: c.id, intentions: 'info', title: `Hai ${i}`, content: 'Isi' })) });
      return put('/notifications/mark/all', c.token);
    },
  },
  { route: 'POST /logs/create', setup: async (w) => post('/logs/create', (await w.t.user(['CUSTOMER'])).token, { action: 'open_screen', resource: 'menus', resource_id: 12, details: { screen: 'catalogue' } }) },
  // ------------------------------------------------------------------ carts and orders
  { route: 'POST /orders/init', setup: async (w) => { const c = await w.t.user(['CUSTOMER']); return post('/orders/init', c.token, { id_patients: (await patientOf(w.t, c)).id, order_type: 'E' }); } },
  {
    route: 'POST /orders/e_add_to_carts',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      const m = await newMenu(w);
      await stockOf(w.t, m.id, 5);
      return post('/orders/e_add_to_carts', c.token, { id_order: orderId, items: [{ id_menu: m.id, qty: 2 }] });
    },
  },
  {
    route: 'POST /orders/c_add_to_carts',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const init = await w.t.http.post('/orders/init').set(w.t.auth(c)).send({ id_patients: (await patientOf(w.t, c)).id, order_type: 'C' });
      return post('/orders/c_add_to_carts', c.token, { id_order: init.body.orders.id, items: [{ id_doctors: (await newDoctor(w)).doctor.id, qty: 1 }] });
    },
  },
  {
    route: 'PUT /orders/:id/apply/points',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      await givePoints(w.t, c.id, 50_000);
      return put(`/orders/${orderId}/apply/points`, c.token, { poin_used: 30_000 });
    },
  },
  {
    route: 'PUT /orders/:id/unapply/points',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      await givePoints(w.t, c.id, 50_000);
      await ok(w, 'put', `/orders/${orderId}/apply/points`, c.token, { poin_used: 30_000 });
      return put(`/orders/${orderId}/unapply/points`, c.token);
    },
  },
  { route: 'PUT /orders/:id/apply/promotions', setup: async (w) => { const { c, orderId } = await cart(w); return put(`/orders/${orderId}/apply/promotions`, c.token, { display_codes: (await promotion(w.t)).display_codes }); } },
  {
    route: 'PUT /orders/:id/unapply/promotions',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      await ok(w, 'put', `/orders/${orderId}/apply/promotions`, c.token, { display_codes: (await promotion(w.t)).display_codes });
      return put(`/orders/${orderId}/unapply/promotions`, c.token);
    },
  },
  {
    route: 'PUT /orders/:id/checkout',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      return put(`/orders/${orderId}/checkout`, c.token);
    },
    // orders.service checkout: reserving (stock, code, payment attempt) commits before Midtrans is
    // asked for a Snap transaction, and its token is stored after. When that fails, a transaction of
    // its own gives everything reserved back and the order is the cart again (no reservation held);
    // what stays is what must: the attempt, FAILED (Midtrans may hold a transaction under its order
    // id: a payment through it is then known as superseded and staff are told to refund it), the
    // order code it was made under (codes are never given out twice), and the stock ledger's
    // reservation with its release (the ledger records every movement; the quantity is back).
    outside: CHECKOUT_UNDONE,
    verify: async (w, failed) => {
      const orderId = Number(failed.path.split('/')[2]);
      const o = await db(w).order.findUniqueOrThrow({ where: { id: orderId } });
      expect({ status: o.status, cart_open: o.cart_open, reservation: o.reservation_status }).toEqual({ status: 'SHOPPING CARTS', cart_open: 1, reservation: 'NONE' });
      // the customer's retry goes through: a new attempt, paid through Midtrans
      const retry = await w.t.http.put(failed.path).set('Authorization', `Bearer ${failed.bearer}`).send({});
      expect(retry.status).toBe(200);
      expect(retry.body.token).not.toBe('');
    },
  },
  { route: 'PUT /orders/:id/uncheckout', setup: async (w) => { const { c, orderId } = await orderAt(w, []); return put(`/orders/${orderId}/uncheckout`, c.token); } },
  { route: 'PUT /orders/:id/paid', setup: async (w) => { const { orderId } = await orderAt(w, []); return put(`/orders/${orderId}/paid`, await staff(w), { pay_channel: 'cash' }); } },
  { route: 'PUT /orders/:id/unpaid', setup: async (w) => { const { orderId } = await orderAt(w, ['paid']); return put(`/orders/${orderId}/unpaid`, await staff(w), { cancel_reason: 'Salah catat' }); } },
  ...(
    [
      ['prepared', ['paid']],
      ['unprepare', ['paid', 'prepared']],
      ['processing', ['paid', 'prepared']],
      ['unprocessing', ['paid', 'prepared', 'processing']],
      ['pickup', ['paid', 'prepared', 'processing']],
      ['unpickup', ['paid', 'prepared', 'processing', 'pickup']],
      ['consignee', ['paid', 'prepared', 'processing', 'noresi']],
      ['process/noresi', ['paid', 'prepared', 'processing']],
      ['cancel', ['paid']],
      ['uncancel', ['cancel']],
    ] as const
  ).map(
    ([action, steps]): Case => ({
      route: `PUT /orders/:id/${action}`,
      setup: async (w) => {
        const { orderId } = await orderAt(w, steps);
        return put(`/orders/${orderId}/${action}`, await staff(w), action === 'process/noresi' ? { nomor_resi: `JNE${uniq()}` } : action.includes('cancel') ? { cancel_reason: 'Pelanggan berubah pikiran' } : {});
      },
    }),
  ),
  { route: 'DELETE /orders/:id/delete', setup: async (w) => { const { c, orderId } = await cart(w); return del(`/orders/${orderId}/delete`, c.token); } },
  {
    route: 'PUT /order_items/:id/update',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      const line = await db(w).orderItem.findFirstOrThrow({ where: { id_order: orderId } });
      return put(`/order_items/${line.id}/update`, c.token, { qty: 2 });
    },
  },
  {
    route: 'DELETE /order_items/:id/delete',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      return del(`/order_items/${(await db(w).orderItem.findFirstOrThrow({ where: { id_order: orderId } })).id}/delete`, c.token);
    },
  },
  ...(['update', 'delete'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /order_extras/:id/delete' : 'PUT /order_extras/:id/update',
      setup: async (w) => {
        const c = await w.t.user(['CUSTOMER']);
        const init = await w.t.http.post('/orders/init').set(w.t.auth(c)).send({ id_patients: (await patientOf(w.t, c)).id, order_type: 'C' });
        await ok(w, 'post', '/orders/c_add_to_carts', c.token, { id_order: init.body.orders.id, items: [{ id_doctors: (await newDoctor(w)).doctor.id, qty: 1 }] });
        const extra = await db(w).orderExtra.findFirstOrThrow({ where: { id_orders: init.body.orders.id } });
        return action === 'delete' ? del(`/order_extras/${extra.id}/delete`, c.token) : put(`/order_extras/${extra.id}/update`, c.token, { extra_notes: 'Jerawat di dahi' });
      },
    }),
  ),
  { route: 'POST /ratings/create', setup: async (w) => { const { c, orderId } = await orderAt(w, ['paid', 'prepared', 'processing', 'noresi', 'consignee']); return post('/ratings/create', c.token, { id_orders: orderId, ratings: 5, rating_desc: 'Cocok' }); } },
  ...(['update', 'delete'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /ratings/:id/delete' : 'PUT /ratings/:id/update',
      setup: async (w) => {
        const { c, orderId } = await orderAt(w, ['paid', 'prepared', 'processing', 'noresi', 'consignee']);
        const r = await db(w).rating.create({ data: { id_orders: orderId, id_users: c.id, ratings: 4, rating_desc: 'Bagus' } });
        return action === 'delete' ? del(`/ratings/${r.id}/delete`, await staff(w)) : put(`/ratings/${r.id}/update`, c.token, { ratings: 5 });
      },
    }),
  ),
  {
    route: 'DELETE /user_points/:id/delete',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      await givePoints(w.t, c.id, 10_000);
      return del(`/user_points/${(await db(w).userPoint.findFirstOrThrow({ where: { id_users: c.id } })).id}/delete`, await staff(w));
    },
  },
  {
    route: 'POST /payments/webhooks/midtrans',
    setup: async (w) => {
      const { orderId } = await orderAt(w, []);
      const pay = await db(w).orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PENDING' } });
      const note = settlementNotification(MIDTRANS_KEY, pay.midtrans_order_id, pay.gross_amount);
      w.midtrans.statuses.set(pay.midtrans_order_id, { ...note, status_message: 'Success' });
      return post('/payments/webhooks/midtrans', null, note);
    },
    // receiveNotification: Midtrans' notification is stored first (what Midtrans sent is kept even
    // when processing it fails), then applied and marked processed in one transaction. A non-2xx
    // answer makes Midtrans send it again; the retry finds it unprocessed and applies it, once.
    outside: RECEIVED,
    verify: async (w, failed) => {
      const { id_orders } = await db(w).orderPayment.findUniqueOrThrow({ where: { midtrans_order_id: String(failed.body!.order_id) } });
      const points = () => db(w).userPoint.count({ where: { usecase: 'webhook-midtrans', id_orders_earned: id_orders } });
      expect(await points()).toBe(0);
      for (let i = 0; i < 2; i++) expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      const stored = await db(w).paymentNotification.findFirstOrThrow({ where: { order_id: String(failed.body!.order_id) } });
      expect({ result: stored.process_result, points: await points(), paid: (await db(w).order.findUniqueOrThrow({ where: { id: id_orders } })).is_paid }).toEqual({ result: 'paid', points: 1, paid: 1 });
    },
  },
  // ------------------------------------------------------------------ shipping
  {
    route: 'PUT /deliveries/settings/update',
    setup: async (w) => put('/deliveries/settings/update', await staff(w), { alamat_gudang: `Jl. Gudang ${uniq()}`, kode_kurir: ['jne', 'pos'] }),
  },
  {
    route: 'POST /deliveries/calculate',
    setup: async (w) => {
      const { c, orderId } = await cart(w, { courier: false });
      return post('/deliveries/calculate', c.token, { id_order: orderId, courier: 'jne' });
    },
  },
  {
    route: 'PUT /orders/:id/update/address',
    setup: async (w) => {
      const { c, orderId } = await cart(w, { courier: false });
      return put(`/orders/${orderId}/update/address`, c.token, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
    },
  },
  {
    route: 'PUT /orders/:id/process/courier',
    setup: async (w) => {
      const { c, orderId } = await cart(w, { courier: false });
      const quotes = (await ok(w, 'post', '/deliveries/calculate', c.token, { id_order: orderId, courier: 'jne' })).body;
      const reg = quotes[0].costs.find((x: { service: string }) => x.service === 'REG');
      return put(`/orders/${orderId}/process/courier`, c.token, { courier: 'jne', costs: String(reg.cost[0].value) });
    },
  },
  { route: 'PUT /orders/:id/unprocess/courier', setup: async (w) => { const { c, orderId } = await cart(w); return put(`/orders/${orderId}/unprocess/courier`, c.token); } },
  {
    route: 'PUT /orders/:id/process/sameday/courier',
    setup: async (w) => {
      const admin = await staff(w);
      await ok(w, 'put', '/deliveries/settings/update', admin, { coordinate_gudang: WAREHOUSE });
      if (!(await db(w).delivery.count({ where: { distance_fr: 0 } }))) await ok(w, 'post', '/deliveries/create', admin, { distance_fr: 0, distance_to: 5, segment: '0-5 KM', price_in_km: 6_800 });
      const { c, orderId } = await cart(w, { courier: false });
      return put(`/orders/${orderId}/process/sameday/courier`, c.token, { lat_kirim: -6.8618, lng_kirim: 107.614, courier: 'sameday' });
    },
  },
  // ------------------------------------------------------------------ promotions
  ...crud(
    'promotions',
    async () => ({ type: 'POTONGAN', value: 25_000, quota: 100, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(30), display_codes: `P${uniq()}`.toUpperCase(), title: 'Promo' }),
    async () => ({ value: 30_000 }),
    (w) => promotion(w.t),
  ),
  { route: 'POST /promotions/:id/uploads', setup: async (w) => upload(`/promotions/${(await promotion(w.t, { img_promotions: await stored(w, 'public', 'promotions') })).id}/uploads`, await staff(w)) },
  { route: 'POST /menus/prescriptions/requests', setup: async (w) => post('/menus/prescriptions/requests', (await w.t.user(['CUSTOMER'])).token, { id_menu: (await newMenu(w, { is_resep_required: 1 })).id }) },
  // ------------------------------------------------------------------ consultations
  {
    route: 'POST /threads/create',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      return post('/threads/create', await staff(w), { id_user_from: c.id, id_user_to: (await newDoctor(w)).user.id, id_patients: (await patientOf(w.t, c)).id });
    },
  },
  ...(['update', 'delete', 'close', 'reopen'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /threads/:id/delete' : `PUT /threads/:id/${action}`,
      setup: async (w) => {
        const th = await thread(w, action === 'reopen' ? { is_closed: 1 } : {});
        if (action === 'delete') return del(`/threads/${th.id}/delete`, await staff(w));
        return put(`/threads/${th.id}/${action}`, th.doctor.token, action === 'update' ? { queue_number: 3 } : {});
      },
    }),
  ),
  { route: 'POST /thread_messages/text', setup: async (w) => { const th = await thread(w); return post('/thread_messages/text', th.customer.token, { id_threads: th.id, content: 'Dok, kulit saya kering' }); } },
  ...(['image', 'attachments'] as const).map(
    (kind): Case => ({ route: `POST /thread_messages/${kind}`, setup: async (w) => { const th = await thread(w); return upload(`/thread_messages/${kind}`, th.customer.token, { id_threads: th.id }, kind); } }),
  ),
  { route: 'POST /thread_messages/prescriptions', setup: async (w) => { const th = await thread(w); return post('/thread_messages/prescriptions', th.doctor.token, { id_threads: th.id, id_menu: (await newMenu(w, { is_resep_required: 1 })).id, qty: 1 }); } },
  ...(['delete', 'update_text'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /thread_messages/:id/delete' : 'PUT /thread_messages/:id/update_text',
      setup: async (w) => {
        const th = await thread(w);
        const m = (await ok(w, 'post', '/thread_messages/text', th.customer.token, { id_threads: th.id, content: 'Dok?' })).body.thread_messages;
        return action === 'delete' ? del(`/thread_messages/${m.id}/delete`, th.customer.token) : put(`/thread_messages/${m.id}/update_text`, th.customer.token, { content: 'Dok, halo?' });
      },
    }),
  ),
  {
    route: 'POST /menu_reedems/add_to_carts',
    setup: async (w) => {
      const th = await thread(w);
      const cream = await newMenu(w, { is_resep_required: 1 });
      await stockOf(w.t, cream.id, 5);
      await ok(w, 'post', '/thread_messages/prescriptions', th.doctor.token, { id_threads: th.id, id_menu: cream.id, qty: 1 });
      return post('/menu_reedems/add_to_carts', th.customer.token, { id_threads: th.id, id_menu: cream.id });
    },
  },
  // ------------------------------------------------------------------ other paths through the same routes
  { route: 'POST /users/create', variant: 'by staff, an admin account', setup: async (w) => { const u = `adm${uniq()}`; return post('/users/create', await staff(w), { username: u, users_fullname: 'Admin', users_email: `${u}@example.com`, password: 'pw-secret-123', retype_password: 'pw-secret-123', roles: ['ADMIN'], positions: 'Admin' }); } },
  { route: 'PUT /users/:id/update', variant: 'by staff, roles changed', setup: async (w) => put(`/users/${(await w.t.user(['CUSTOMER'])).id}/update`, await staff(w), { roles: ['CUSTOMER', 'DOCTOR'], users_address: 'Jl. Staf 1' }) },
  {
    route: 'DELETE /users/:id/delete',
    variant: 'a customer with a coming appointment and a device',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER'], { users_picture: await stored(w, 'public', 'users') });
      await appointment(w.t, await bookableSlot(w.t, 8), c.id, (await patientOf(w.t, c)).id);
      await ok(w, 'post', '/users/register_device_token', c.token, { device_token: `device-${uniq()}`, already_login: false });
      return del(`/users/${c.id}/delete`, await staff(w));
    },
  },
  {
    route: 'POST /user_schedules/create',
    variant: 'by staff for a customer',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const s = await bookableSlot(w.t, 8);
      return post('/user_schedules/create', await staff(w), { id_doctor_schedules: s.slot.id, tanggal: s.tanggal, id_patients: (await patientOf(w.t, c)).id, id_users: c.id });
    },
  },
  {
    route: 'POST /thread_messages/text',
    variant: "by the doctor, to a customer's device",
    setup: async (w) => {
      const th = await thread(w);
      await ok(w, 'post', '/users/register_device_token', th.customer.token, { device_token: `device-${uniq()}`, already_login: false });
      return post('/thread_messages/text', th.doctor.token, { id_threads: th.id, content: 'Pakai malam hari saja.' });
    },
  },
  { route: 'PUT /orders/:id/checkout', variant: 'a consultation', setup: async (w) => { const { c, orderId } = await consultCart(w); return put(`/orders/${orderId}/checkout`, c.token); }, outside: CHECKOUT_UNDONE },
  {
    route: 'PUT /orders/:id/paid',
    variant: 'a consultation (its thread opens)',
    setup: async (w) => {
      const { c, orderId } = await consultCart(w);
      await ok(w, 'put', `/orders/${orderId}/checkout`, c.token, {});
      return put(`/orders/${orderId}/paid`, await staff(w), { pay_channel: 'cash' });
    },
  },
  {
    route: 'PUT /orders/:id/cancel',
    variant: 'paid with points and a promotion code',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      await givePoints(w.t, c.id, 50_000);
      await ok(w, 'put', `/orders/${orderId}/apply/promotions`, c.token, { display_codes: (await promotion(w.t)).display_codes });
      await ok(w, 'put', `/orders/${orderId}/apply/points`, c.token, { poin_used: 30_000 });
      await ok(w, 'put', `/orders/${orderId}/checkout`, c.token, {});
      const admin = await staff(w);
      await ok(w, 'put', `/orders/${orderId}/paid`, admin, { pay_channel: 'cash' });
      return put(`/orders/${orderId}/cancel`, admin, { cancel_reason: 'Stok rusak' });
    },
  },
  {
    route: 'POST /payments/webhooks/midtrans',
    variant: 'the payment expired (the checkout is cancelled)',
    setup: async (w) => {
      const { orderId } = await orderAt(w, []);
      const pay = await db(w).orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PENDING' } });
      const gross_amount = `${pay.gross_amount}.00`;
      const note = {
        transaction_status: 'expire', transaction_id: `trx-${pay.midtrans_order_id}`, status_code: '407', gross_amount, payment_type: 'bank_transfer', order_id: pay.midtrans_order_id, fraud_status: 'accept',
        signature_key: createHash('sha512').update(`${pay.midtrans_order_id}407${gross_amount}${MIDTRANS_KEY}`).digest('hex'),
      };
      w.midtrans.statuses.set(pay.midtrans_order_id, { ...note, status_message: 'Expired' });
      return post('/payments/webhooks/midtrans', null, note);
    },
    outside: RECEIVED,
    verify: async (w, failed) => {
      const retry = await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!);
      expect(retry.status).toBe(200);
      const stored = await db(w).paymentNotification.findFirstOrThrow({ where: { order_id: String(failed.body!.order_id), transaction_status: 'expire' } });
      expect(stored.process_result).toBe('cancelled');
    },
  },
  {
    route: 'POST /payments/webhooks/midtrans',
    variant: 'a consultation paid (its thread opens)',
    setup: async (w) => {
      const { c, orderId } = await consultCart(w);
      await ok(w, 'put', `/orders/${orderId}/checkout`, c.token, {});
      const pay = await db(w).orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PENDING' } });
      const note = settlementNotification(MIDTRANS_KEY, pay.midtrans_order_id, pay.gross_amount);
      w.midtrans.statuses.set(pay.midtrans_order_id, { ...note, status_message: 'Success' });
      return post('/payments/webhooks/midtrans', null, note);
    },
    outside: RECEIVED,
    verify: async (w, failed) => {
      const { id_orders } = await db(w).orderPayment.findUniqueOrThrow({ where: { midtrans_order_id: String(failed.body!.order_id) } });
      expect(await db(w).thread.count({ where: { id_order: id_orders } })).toBe(0);
      for (let i = 0; i < 2; i++) expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      expect(await db(w).thread.count({ where: { id_order: id_orders } })).toBe(1);
    },
  },
  {
    route: 'POST /payments/webhooks/midtrans',
    variant: 'money for a superseded attempt (staff are told to refund it)',
    setup: async (w) => {
      const { c, orderId } = await orderAt(w, []);
      const pay = await db(w).orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PENDING' } });
      await ok(w, 'put', `/orders/${orderId}/uncheckout`, c.token, {});
      const note = settlementNotification(MIDTRANS_KEY, pay.midtrans_order_id, pay.gross_amount);
      w.midtrans.statuses.set(pay.midtrans_order_id, { ...note, status_message: 'Success' });
      return post('/payments/webhooks/midtrans', null, note);
    },
    // what processing it did is not kept, so that Midtrans' retry does it once: one alert for the money to refund
    outside: RECEIVED,
    verify: async (w, failed) => {
      const alerts = async () => (await db(w).log.findMany({ where: { action: 'payment_alert' } })).filter((l) => (l.details as { midtrans_order_id?: string })?.midtrans_order_id === failed.body!.order_id).length;
      expect(await alerts()).toBe(0);
      expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      expect(await alerts()).toBe(1);
    },
  },
  {
    route: 'POST /payments/webhooks/midtrans',
    variant: 'money for an order that does not exist (staff are told to refund it)',
    setup: async () => post('/payments/webhooks/midtrans', null, settlementNotification(MIDTRANS_KEY, `E-19990101-${uniq()}`, 150_000)),
    outside: RECEIVED,
    verify: async (w, failed) => {
      const alerts = async () => (await db(w).log.findMany({ where: { action: 'payment_alert' } })).filter((l) => (l.details as { midtrans_order_id?: string })?.midtrans_order_id === failed.body!.order_id).length;
      expect(await alerts()).toBe(0);
      expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      expect((await w.t.http.post('/payments/webhooks/midtrans').send(failed.body!)).status).toBe(200);
      expect(await alerts()).toBe(1);
    },
  },
  {
    route: 'PUT /doctor_schedules/:id/unactivate',
    variant: 'with a coming appointment in the slot',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const s = await bookableSlot(w.t, 8);
      await appointment(w.t, s, c.id, (await patientOf(w.t, c)).id);
      return put(`/doctor_schedules/${s.slot.id}/unactivate`, await staff(w));
    },
  },
  {
    route: 'PUT /user_schedules/:id/cancel',
    variant: 'by staff',
    setup: async (w) => {
      const c = await w.t.user(['CUSTOMER']);
      const a = await appointment(w.t, await bookableSlot(w.t, 8), c.id, (await patientOf(w.t, c)).id);
      return put(`/user_schedules/${a.id}/cancel`, await staff(w), { cancel_reason: 'Dokter berhalangan' });
    },
  },
  ...(['update', 'delete'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /promotions/:id/delete' : 'PUT /promotions/:id/update',
      variant: 'applied by an open cart',
      setup: async (w) => {
        const { c, orderId } = await cart(w);
        const promo = await promotion(w.t);
        await ok(w, 'put', `/orders/${orderId}/apply/promotions`, c.token, { display_codes: promo.display_codes });
        return action === 'delete' ? del(`/promotions/${promo.id}/delete`, await staff(w)) : put(`/promotions/${promo.id}/update`, await staff(w), { value: 30_000 });
      },
    }),
  ),
  ...(['update', 'delete'] as const).map(
    (action): Case => ({
      route: action === 'delete' ? 'DELETE /menus/:id/delete' : 'PUT /menus/:id/update',
      variant: 'in an open cart',
      setup: async (w) => {
        const { orderId } = await cart(w);
        const line = await db(w).orderItem.findFirstOrThrow({ where: { id_order: orderId } });
        return action === 'delete' ? del(`/menus/${line.id_menu}/delete`, await staff(w)) : put(`/menus/${line.id_menu}/update`, await staff(w), { harga: 90_000 });
      },
    }),
  ),
  {
    route: 'PUT /threads/:id/close',
    variant: "a paid consultation's",
    setup: async (w) => {
      const { c, orderId } = await consultCart(w);
      await ok(w, 'put', `/orders/${orderId}/checkout`, c.token, {});
      await ok(w, 'put', `/orders/${orderId}/paid`, await staff(w), { pay_channel: 'cash' });
      const th = await db(w).thread.findFirstOrThrow({ where: { id_order: orderId } });
      const doctor = await db(w).user.findUniqueOrThrow({ where: { id: th.id_user_to! } });
      return put(`/threads/${th.id}/close`, signToken(w.t.app, { id: doctor.id, token_version: doctor.token_version, roles: ['DOCTOR'] }));
    },
  },
  {
    route: 'DELETE /orders/:id/delete',
    variant: 'a cart with points and a promotion code applied',
    setup: async (w) => {
      const { c, orderId } = await cart(w);
      await givePoints(w.t, c.id, 50_000);
      await ok(w, 'put', `/orders/${orderId}/apply/promotions`, c.token, { display_codes: (await promotion(w.t)).display_codes });
      await ok(w, 'put', `/orders/${orderId}/apply/points`, c.token, { poin_used: 30_000 });
      return del(`/orders/${orderId}/delete`, c.token);
    },
  },
  {
    route: 'PUT /orders/:id/unpaid',
    variant: 'paid through Midtrans',
    setup: async (w) => {
      const { orderId } = await orderAt(w, []);
      const pay = await db(w).orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PENDING' } });
      const note = settlementNotification(MIDTRANS_KEY, pay.midtrans_order_id, pay.gross_amount);
      w.midtrans.statuses.set(pay.midtrans_order_id, { ...note, status_message: 'Success' });
      if ((await w.t.http.post('/payments/webhooks/midtrans').send(note)).status !== 200) throw new Error('not paid');
      return put(`/orders/${orderId}/unpaid`, await staff(w), { cancel_reason: 'Dana dikembalikan' });
    },
  },
  {
    route: 'POST /users/register_device_token',
    variant: "a phone another account signed in on before",
    setup: async (w) => {
      const device = `device-${uniq()}`;
      await ok(w, 'post', '/users/register_device_token', (await w.t.user(['CUSTOMER'])).token, { device_token: device, already_login: false });
      return post('/users/register_device_token', (await w.t.user(['CUSTOMER'])).token, { device_token: device, already_login: false });
    },
  },
  {
    route: 'POST /patient_rekam_medis/create',
    variant: 'a correction of a verified record',
    setup: async (w) => {
      const p = await patientOf(w.t, await w.t.user(['CUSTOMER']));
      const admin = await w.t.user(['ADMIN']);
      const r = await db(w).patientRekamMedis.create({
        data: { id_patients: p.id, tanggal_konsul: new Date(Date.UTC(2026, 11, 1)), keluhan: 'Jerawat', diagnosa: 'Acne', created_by_iduser: admin.id, is_verified: 1, verified_iduser: admin.id, verified_at: new Date() },
      });
      return post('/patient_rekam_medis/create', admin.token, { id_patients: p.id, tanggal_konsul: '01/12/2026', diagnosa: 'Acne vulgaris', id_rekam_medis_asal: r.id, jenis_perubahan: 'KOREKSI' });
    },
  },
  { route: 'PUT /patients/:id/update', variant: 'by staff', setup: async (w) => put(`/patients/${(await patientOf(w.t, await w.t.user(['CUSTOMER']))).id}/update`, await staff(w), { nama_lengkap_pasien: 'Renamed', allergies: ['Kacang'] }) },
];

/** Routes not covered here, with the reason (a pattern over "METHOD /path"). */
export const NOT_COVERED: [RegExp, string][] = [
  [/^(PUT|POST|DELETE) \/logs\/:id\/(update|delete)$/, 'refused to everyone (403): audit logs are append-only, nothing is written'],
  [/^POST \/[a-z_]+\/(explore|search|table)$/, "a list: reads only (a list of health data also writes one audit entry of the read: one statement, nothing to half-write)"],
  [/^POST \/(report|dashboard)\//, 'a report: reads only'],
  [/^POST \/threads\/(adminview|overview|overview\/doctors)$|^POST \/user_schedules\/(timeline|check\/doctor\/availability)$/, 'a list or a lookup: reads only'],
  [/^POST \/deliveries\/calculate\/byweight$/, "reads only: RajaOngkir's prices for a weight, stored nowhere (deliveries/calculate, which stores its quote, is covered)"],
  [/^POST \/payments\/simulator\/:token\/:outcome$/, 'the payment simulator (only without Midtrans keys) writes nothing itself: it posts a signed notification to payments/webhooks/midtrans, covered'],
  [/^POST \/(order_items|order_extras)\/create$/, 'answers 405 to everyone (lines change through orders/e_add_to_carts and c_add_to_carts): nothing is written'],
];
