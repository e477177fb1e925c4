import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { RajaOngkir } from '../../src/adapters/rajaongkir.js';
import { startFakeRajaOngkir } from './fake-rajaongkir.js';
import { whileHolding } from '../helpers/interleave.js';

let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeRajaOngkir>>;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
let menuId: number;

beforeAll(async () => {
  fake = await startFakeRajaOngkir('test-key');
  t = await createTestApp({
    RAJAONGKIR_BASE_URL: fake.url,
    RAJAONGKIR_API_KEY: 'test-key',
    SHIPPING_ORIGIN_CITY: '23',
    SHIPPING_ORIGIN_DISTRICT: '331',
    SHIPPING_COURIERS: 'jne,pos,tiki',
    WAREHOUSE_LAT: '-6.2',
    WAREHOUSE_LNG: '106.8',
  });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  menuId = (await t.app.db.menu.create({ data: { nama_menus: 'Sunscreen SPF 50', harga: 50000, berat: 400 } })).id;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

/** A cart of `owner` with 3 × 400 g (1,200 g), total_price 150,000. */
async function cart(owner: TestUser, fields: Record<string, unknown> = {}) {
  const patient = await t.app.db.patient.create({ data: { nama_lengkap_pasien: 'Pasien', id_users: owner.id } });
  const order = await t.app.db.order.create({
    data: {
      order_type: 'E',
      id_member: owner.id,
      id_patients: patient.id,
      total_price: 150000,
      grand_totals: 150000,
      items: { create: { id_menu: menuId, qty: 3, price: 50000, price_total: 150000 } },
      ...fields,
    },
  });
  return order.id;
}

const address = { lat_kirim: -6.25, lng_kirim: 106.85, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Setraduta park' };

describe('deliveries regions (RajaOngkir V2 mapped to the document shapes)', () => {
  it('lists provinces, cities and districts with the documented fields, cached', async () => {
    expect((await t.http.get('/deliveries/provinces')).status).toBe(401);
    const p = await t.http.get('/deliveries/provinces').set(t.auth(customer));
    expect(p.status).toBe(200);
    expect(p.body).toEqual([
      { province_id: '1', province: 'BALI' },
      { province_id: '9', province: 'JAWA BARAT' },
    ]);
    const c = await t.http.get('/deliveries/9/cities').set(t.auth(customer));
    expect(c.body).toEqual([
      { city_id: '23', province_id: '9', province: 'JAWA BARAT', type: 'Kota', city_name: 'KOTA BANDUNG', postal_code: '40111' },
      { city_id: '22', province_id: '9', province: 'JAWA BARAT', type: 'Kabupaten', city_name: 'KABUPATEN BANDUNG', postal_code: '40311' },
    ]);
    const d = await t.http.get('/deliveries/23/districts').set(t.auth(customer));
    expect(d.body[0]).toEqual({
      subdistrict_id: '330',
      province_id: '9',
      province: 'JAWA BARAT',
      city_id: '23',
      city: 'KOTA BANDUNG',
      type: 'Kota',
      subdistrict_name: 'COBLONG',
    });
    // the key goes in the `key` header; lists are cached (a day)
    expect(fake.callsTo('/destination/province')[0]!.key).toBe('test-key');
    await t.http.get('/deliveries/provinces').set(t.auth(customer));
    await t.http.get('/deliveries/9/cities').set(t.auth(other));
    expect(fake.callsTo('/destination/province')).toHaveLength(1);
    expect(fake.callsTo('/destination/city/9')).toHaveLength(1);

    expect((await t.http.get('/deliveries/77/cities').set(t.auth(customer))).status).toBe(404);
    expect((await t.http.get('/deliveries/99/districts').set(t.auth(customer))).status).toBe(404);
    expect((await t.http.get('/deliveries/abc/districts').set(t.auth(customer))).status).toBe(400);
  });

  it('shows the settings from configuration', async () => {
    const r = await t.http.get('/deliveries/settings').set(t.auth(customer));
    expect(r.body).toEqual({
      kode_kota_asal: 23,
      kode_kecamatan_asal: 331,
      coordinate_gudang: { lat: -6.2, lng: 106.8 },
      alamat_gudang: 'JL Adiyaksa 122 Jakarta Pusat',
      kode_kurir: ['jne', 'pos', 'tiki'],
      // no warehouse store named yet: online orders take no stock (staff set it with deliveries/settings/update)
      id_brandstore_gudang: null,
    });
  });
});

describe('courier costs, quotes and process/courier', () => {
  it('quotes an order from its cart weight and address, stores each quote, and accepts only a quoted cost', async () => {
    const id = await cart(customer);
    // no address yet and no city given
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(422);
    expect((await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address)).body).toEqual({ update_address: true });
    const stored = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '330', alamat_kirim: 'Setraduta park', lat_kirim: -6.25 });

    // someone else's order is invisible
    expect((await t.http.post('/deliveries/calculate').set(t.auth(other)).send({ id_order: id, courier: 'jne' })).status).toBe(404);

    const before = fake.callsTo('/calculate/district/domestic-cost').length;
    const r = await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ city_id_destination: 53, id_order: id, courier: 'jne' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      {
        code: 'jne',
        name: 'Jalur Nugraha Ekakurir (JNE)',
        costs: [
          { service: 'REG', description: 'Layanan Reguler', cost: [{ value: 22000, etd: '2 day', note: '' }] },
          { service: 'YES', description: 'Yakin Esok Sampai', cost: [{ value: 40000, etd: '1 day', note: '' }] },
        ],
      },
    ]);
    const call = fake.callsTo('/calculate/district/domestic-cost')[before]!;
    expect(call.contentType).toContain('application/x-www-form-urlencoded');
    // the order's district wins over the document's city_id_destination; weight = 3 × 400 g
    expect(call.form).toMatchObject({ origin: '331', destination: '330', weight: '1200', courier: 'jne' });
    const quotes = await t.app.db.courierQuote.findMany({ where: { id_orders: id }, orderBy: { cost: 'asc' } });
    expect(quotes.map((q) => [q.courier, q.service, q.cost, q.weight, q.destination])).toEqual([
      ['jne', 'REG', 22000, 1200, '330'],
      ['jne', 'YES', 40000, 1200, '330'],
    ]);

    // a cost nobody quoted is refused; the quoted one is taken (costs as a string, as documented)
    const bad = await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: '1000' });
    expect(bad.status).toBe(422);
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'pos', costs: '22000' })).status).toBe(422);
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(other)).send({ courier: 'jne', costs: '22000' })).status).toBe(404);
    const ok = await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: '22000' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ process_courier: true, costs: 22000 });
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    expect(o).toMatchObject({ courier: 'jne', courier_service: 'REG', courier_price: 22000, is_courier: 1, grand_totals: 172000 });
    expect(o.courier_datetime).not.toBeNull();

    // unprocess clears it and the total follows
    expect((await t.http.put(`/orders/${id}/unprocess/courier`).set(t.auth(customer))).body).toEqual({ unprocess_courier: true });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ courier: '', courier_price: 0, is_courier: 0, courier_datetime: null, grand_totals: 150000 });

    // staff may choose for the customer
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(admin)).send({ courier: 'jne', costs: 40000, service: 'YES' })).body).toEqual({
      process_courier: true,
      costs: 40000,
    });

    // a changed cart weight makes the old quotes unusable
    await t.app.db.orderItem.updateMany({ where: { id_order: id }, data: { qty: 5 } });
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(422);
    // an expired quote too
    await t.app.db.orderItem.updateMany({ where: { id_order: id }, data: { qty: 3 } });
    await t.app.db.courierQuote.updateMany({ where: { id_orders: id }, data: { expires_at: new Date(Date.now() - 1000) } });
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(422);
    // quoting again drops the order's expired quotes (the chosen courier's, jne YES 40,000, because a
    // fresh one of the same cost takes its place) and stores fresh ones, which are taken
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(200);
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id, expires_at: { lt: new Date() } } })).toBe(0);
    const fresh = await t.app.db.courierQuote.findMany({ where: { id_orders: id, expires_at: { gt: new Date() } }, orderBy: { cost: 'asc' } });
    expect(fresh.map((q) => [q.courier, q.service, q.description, q.cost, q.etd, q.weight, q.origin, q.destination])).toEqual([
      ['jne', 'REG', 'Layanan Reguler', 22000, '2 day', 1200, '331', '330'],
      ['jne', 'YES', 'Yakin Esok Sampai', 40000, '1 day', 1200, '331', '330'],
    ]);
    expect(fresh.every((q) => q.expires_at.getTime() > Date.now() + 60_000)).toBe(true);
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(200);
  });

  it('clears the courier when the address moves, and refuses changes once the order left the cart', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' });
    await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 });
    // same district and position: the courier stays
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send({ ...address, alamat_kirim: 'Jl. Dago 1' });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ courier: 'jne', courier_price: 22000, grand_totals: 172000, alamat_kirim: 'Jl. Dago 1' });
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send({ ...address, kode_kecamatan: '331' });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ courier: '', courier_price: 0, grand_totals: 150000, kode_kecamatan: '331' });
    // quotes for district 330 do not apply to 331
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(422);

    const bad = await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send({ ...address, kode_kecamatan: 'x1', lat_kirim: 200 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['kode_kecamatan', 'lat_kirim']);
    expect((await t.http.put(`/orders/${id}/update/address`).set(t.auth(other)).send(address)).status).toBe(404);

    await t.app.db.order.update({ where: { id }, data: { status: 'CHECKOUT', cart_open: null } });
    for (const [path, body] of [
      [`/orders/${id}/update/address`, address],
      [`/orders/${id}/process/courier`, { courier: 'jne', costs: 22000 }],
      [`/orders/${id}/process/sameday/courier`, { lat_kirim: -6.2, lng_kirim: 106.83 }],
      [`/orders/${id}/unprocess/courier`, {}],
    ] as const) {
      const r = await t.http.put(path).set(t.auth(customer)).send(body);
      expect(r.status, path).toBe(409);
      expect(r.body.message).toMatch(/cart/);
    }
  });

  it('refuses to quote an order that is no longer a cart (409), asking RajaOngkir nothing and storing no quote', async () => {
    // the document's id_order is the shopping cart whose items are weighed; a placed order's quotes could never be taken
    const id = await cart(customer, { kode_kecamatan: '330', status: 'CHECKOUT', cart_open: null });
    const calls = fake.callsTo('/calculate/district/domestic-cost').length;
    for (const who of [customer, admin]) {
      const r = await t.http.post('/deliveries/calculate').set(t.auth(who)).send({ id_order: id, courier: 'jne' });
      expect(r.status).toBe(409);
      expect(r.body.message).toMatch(/cart/);
    }
    expect(fake.callsTo('/calculate/district/domestic-cost')).toHaveLength(calls);
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(0);
  });

  it('refuses unknown couriers (400), consultation orders (422) and empty carts (422)', async () => {
    const id = await cart(customer, { kode_kecamatan: '330' });
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'dhl' })).status).toBe(400);
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id })).status).toBe(400);
    const c = await cart(customer, { order_type: 'C' });
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: c, courier: 'jne' })).status).toBe(422);
    expect((await t.http.put(`/orders/${c}/unprocess/courier`).set(t.auth(customer))).status).toBe(422);
    await t.app.db.orderItem.deleteMany({ where: { id_order: id } });
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(422);
  });

  it('refuses a cart too heavy to ship (over 2,147,483,647 g) with 422, before asking RajaOngkir', async () => {
    // three lines of 999 × 1,000 kg: each within what products and carts accept
    const drums = await Promise.all([1, 2, 3].map((i) => t.app.db.menu.create({ data: { nama_menus: `Drum ${i}`, harga: 1000, berat: 1_000_000 } })));
    const patient = await t.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: customer.id } });
    const order = await t.app.db.order.create({
      data: {
        order_type: 'E', id_member: customer.id, id_patients: patient.id, kode_kecamatan: '330',
        items: { create: drums.map((m) => ({ id_menu: m.id, qty: 999, price: 1000, price_total: 999_000 })) },
      },
    });
    const calls = fake.callsTo('/calculate/district/domestic-cost').length;
    const r = await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: order.id, courier: 'jne' });
    expect({ status: r.status, message: r.body.message }).toEqual({ status: 422, message: expect.stringMatching(/cannot be shipped/) });
    const p = await t.http.put(`/orders/${order.id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 });
    expect(p.status).toBe(422);
    expect(fake.callsTo('/calculate/district/domestic-cost')).toHaveLength(calls);
    expect(await t.app.db.courierQuote.count({ where: { id_orders: order.id } })).toBe(0);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ courier: '', courier_price: 0 });
  });

  it('takes the configured courier codes whatever their case (SHIPPING_COURIERS=JNE,Pos)', async () => {
    // the settings row as the configuration made it (deliverySettings copies SHIPPING_COURIERS as written)
    await t.http.get('/deliveries/settings').set(t.auth(customer));
    const { kode_kurir } = await t.app.db.deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } });
    await t.app.db.deliverySetting.update({ where: { scope: 'default' }, data: { kode_kurir: ['JNE', 'Pos'] } });
    try {
      for (const courier of ['jne', 'JNE', 'pos:jne']) {
        const r = await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_destination: 53, weight: 1000, courier });
        expect(r.status, courier).toBe(200);
      }
      expect(fake.callsTo('/calculate/district/domestic-cost').at(-1)!.form).toMatchObject({ courier: 'pos:jne' });
      expect((await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_destination: 53, weight: 1000, courier: 'tiki' })).status).toBe(400);
    } finally {
      await t.app.db.deliverySetting.update({ where: { scope: 'default' }, data: { kode_kurir } });
    }
  });

  it('matches the service whatever its case and spaces (reg for REG), storing the quote’s spelling', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(200);
    // another service's price is still refused, whatever the case
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 40000, service: 'reg' })).status).toBe(422);
    for (const [service, costs, stored] of [[' yes ', 40000, 'YES'], ['reg', 22000, 'REG'], ['Yes', 40000, 'YES']] as const) {
      const r = await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'JNE', costs, service });
      expect({ service, status: r.status, body: r.body }).toEqual({ service, status: 200, body: { process_courier: true, costs } });
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ courier: 'jne', courier_service: stored, courier_price: costs });
    }
    // and checkout takes the courier so chosen (assertCourierStillValid finds its quote)
    const { assertCourierStillValid } = await import('../../src/modules/shipping/shipping.service.js');
    await expect(assertCourierStillValid(t.app.db, await t.app.db.order.findUniqueOrThrow({ where: { id } }))).resolves.toBeUndefined();
  });

  it('prices by weight between two districts without an order', async () => {
    const r = await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_origin: 11, city_id_destination: 53, weight: 3500, courier: 'jne:pos' });
    expect(r.status).toBe(200);
    expect(r.body.map((c: { code: string }) => c.code)).toEqual(['jne', 'pos']);
    expect(r.body[1].costs[0]).toEqual({ service: 'REG', description: 'Layanan Reguler', cost: [{ value: 44000, etd: '2 day', note: '' }] });
    const last = fake.callsTo('/calculate/district/domestic-cost').at(-1)!;
    expect(last.form).toMatchObject({ origin: '11', destination: '53', weight: '3500', courier: 'jne:pos' });
    // identical quotes are cached briefly
    const n = fake.callsTo('/calculate/district/domestic-cost').length;
    await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_origin: 11, city_id_destination: 53, weight: 3500, courier: 'jne:pos' });
    expect(fake.callsTo('/calculate/district/domestic-cost')).toHaveLength(n);
    // origin defaults to the warehouse district
    await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_destination: 53, weight: 100, courier: 'jne' });
    expect(fake.callsTo('/calculate/district/domestic-cost').at(-1)!.form).toMatchObject({ origin: '331', weight: '100' });
    expect((await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send({ city_id_destination: 53, weight: 0, courier: 'jne' })).status).toBe(400);
  });

  it('answers 503 (never 500) when RajaOngkir rate-limits or is down, and caches no failure', async () => {
    const body = { city_id_destination: 60, weight: 1000, courier: 'tiki' };
    for (const mode of ['rate-limited', 'error', 'drop'] as const) {
      fake.state.mode = mode;
      const r = await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send(body);
      expect(r.status, mode).toBe(503);
      expect(r.body).toMatchObject({ status: 503, message: expect.stringMatching(/RajaOngkir/) });
      if (mode === 'rate-limited') expect(r.headers['retry-after']).toBe('60');
      const d = await t.http.get('/deliveries/1/cities').set(t.auth(customer));
      expect(d.status, mode).toBe(503);
    }
    fake.state.mode = 'ok';
    expect((await t.http.post('/deliveries/calculate/byweight').set(t.auth(customer)).send(body)).status).toBe(200);
    // a refused key is our configuration problem: 503 as well, not the client's fault
    const wrongKey = new RajaOngkir({ ...t.app.config, RAJAONGKIR_API_KEY: 'wrong' });
    await expect(wrongKey.cost({ origin: '1', destination: '2', weight: 1, courier: 'jne' })).rejects.toMatchObject({ status: 503 });
    // RajaOngkir's own validation error is passed on as 422
    await expect(t.app.rajaongkir.cost({ origin: '1', destination: '2', weight: 0, courier: 'jne' })).rejects.toMatchObject({ status: 422 });
  });

  it('documents its endpoints in OpenAPI', async () => {
    const paths = (await t.http.get('/openapi.json')).body.paths;
    for (const p of ['/deliveries/calculate', '/deliveries/settings', '/orders/{id}/process/courier', '/orders/{id}/process/sameday/courier', '/deliveries/{id}/update']) {
      expect(paths[p], p).toBeDefined();
    }
  });
});

describe('unreadable RajaOngkir answers (503, nothing stored)', () => {
  // a second app on the same fake, caching nothing, so every request reaches the fake's current answer
  let raw: TestApp;
  let u: TestUser;
  const COST = '/calculate/district/domestic-cost';
  const row = { name: 'Jalur Nugraha Ekakurir (JNE)', code: 'jne', service: 'REG', description: 'Layanan Reguler', cost: 11000, etd: '2 day' };
  beforeAll(async () => {
    raw = await createTestApp({
      RAJAONGKIR_BASE_URL: fake.url,
      RAJAONGKIR_API_KEY: 'test-key',
      RAJAONGKIR_LIST_CACHE_SECONDS: '0',
      RAJAONGKIR_QUOTE_CACHE_SECONDS: '0',
      SHIPPING_ORIGIN_DISTRICT: '331',
      SHIPPING_COURIERS: 'jne,pos',
    });
    u = await raw.user(['CUSTOMER']);
  });
  afterAll(async () => {
    fake.state.data = {};
    await raw.close();
  });

  async function quote(data: unknown) {
    fake.state.data[COST] = data;
    const menu = await raw.app.db.menu.create({ data: { nama_menus: 'Toner', harga: 50000, berat: 400 } });
    const patient = await raw.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: u.id } });
    const order = await raw.app.db.order.create({
      data: { order_type: 'E', id_member: u.id, id_patients: patient.id, kode_kecamatan: '330', items: { create: { id_menu: menu.id, qty: 1, price: 50000, price_total: 50000 } } },
    });
    const r = await raw.http.post('/deliveries/calculate').set(raw.auth(u)).send({ id_order: order.id, courier: 'jne' });
    const stored = await raw.app.db.courierQuote.count({ where: { id_orders: order.id } });
    return { status: r.status, body: r.body, stored };
  }
  const unavailable = { status: 503, message: expect.stringMatching(/RajaOngkir/) };

  it('region lists with a null row or a row without a name are 503', async () => {
    fake.state.data['/destination/province'] = [{ id: 1, name: 'BALI' }, null];
    const p = await raw.http.get('/deliveries/provinces').set(raw.auth(u));
    expect({ status: p.status, body: p.body }).toEqual({ status: 503, body: unavailable });
    delete fake.state.data['/destination/province'];
    fake.state.data['/destination/city/9'] = [{ id: 23, zip_code: '40111' }];
    expect((await raw.http.get('/deliveries/9/cities').set(raw.auth(u))).body).toEqual(unavailable);
    fake.state.data['/destination/district/23'] = [{ id: null, name: 'COBLONG' }];
    expect((await raw.http.get('/deliveries/23/districts').set(raw.auth(u))).body).toEqual(unavailable);
    fake.state.data = {};
    // well-formed again: answered as before
    expect((await raw.http.get('/deliveries/provinces').set(raw.auth(u))).body).toEqual([
      { province_id: '1', province: 'BALI' },
      { province_id: '9', province: 'JAWA BARAT' },
    ]);
  });

  it('cost rows that are not whole rupiah of the 32-bit columns, lack a field or carry a code too long to store, are 503 and store no quote', async () => {
    for (const bad of [
      { ...row, etd: 2 },
      { ...row, service: undefined },
      { ...row, code: null },
      // longer than courier_quotes.courier (30) could hold: a 500 before
      { ...row, code: 'jne'.padEnd(31, 'x') },
      // text PostgreSQL cannot store (a NUL, a lone surrogate): a 500 before
      { ...row, description: 'Layanan\u0000Reguler' },
      { ...row, etd: '2 day\ud800' },
      { ...row, cost: 'n/a' },
      { ...row, cost: null },
      { ...row, cost: -11000 },
      { ...row, cost: 3_000_000_000 },
      null,
    ]) {
      expect(await quote([row, bad]), JSON.stringify(bad)).toEqual({ status: 503, body: unavailable, stored: 0 });
    }
    expect(await quote({ jne: [row] })).toEqual({ status: 503, body: unavailable, stored: 0 });
  });

  it('an error in the envelope of an HTTP 200 answer (meta.code) is that error, not data: 422, 429 → 503, 404, 5xx → 503', async () => {
    const envelope = (code: number, message: string, data: unknown) => ({ meta: { message, code, status: 'error' }, data });
    try {
      fake.state.envelopes[COST] = envelope(400, 'Invalid courier code', []);
      const refused = await quote(null);
      expect(refused).toEqual({ status: 422, body: { status: 422, message: expect.stringMatching(/Invalid courier code/) }, stored: 0 });
      fake.state.envelopes[COST] = envelope(429, 'Too Many Requests', null);
      const busy = await raw.http.post('/deliveries/calculate/byweight').set(raw.auth(u)).send({ city_id_destination: 60, weight: 1000, courier: 'jne' });
      expect({ status: busy.status, retry: busy.headers['retry-after'] }).toEqual({ status: 503, retry: '60' });
      fake.state.envelopes['/destination/city/9'] = envelope(404, 'Data not found', null);
      expect((await raw.http.get('/deliveries/9/cities').set(raw.auth(u))).status).toBe(404);
      // an empty list in a failed answer is not "no provinces" (and a list is cached for a day)
      fake.state.envelopes['/destination/province'] = envelope(500, 'Internal Server Error', []);
      expect((await raw.http.get('/deliveries/provinces').set(raw.auth(u))).body).toEqual(unavailable);
    } finally {
      fake.state.envelopes = {};
    }
    // a success envelope with no rows is still an empty answer
    fake.state.data['/destination/district/23'] = [];
    expect(await raw.http.get('/deliveries/23/districts').set(raw.auth(u))).toMatchObject({ status: 200, body: [] });
    delete fake.state.data['/destination/district/23'];
  });

  it('an HTTP 200 answer whose meta.code is missing, null or empty is read by its HTTP status', async () => {
    try {
      for (const code of [undefined, null, '']) {
        fake.state.envelopes['/destination/district/23'] = { meta: { message: 'Success Get District', code, status: 'success' }, data: [] };
        const r = await raw.http.get('/deliveries/23/districts').set(raw.auth(u));
        expect({ code, status: r.status, body: r.body }).toEqual({ code, status: 200, body: [] });
      }
    } finally {
      fake.state.envelopes = {};
    }
  });

  it('stores a long description cut to its column without splitting a character in two (a 500 before)', async () => {
    const long = `${'Layanan Reguler '.repeat(13).slice(0, 199)}\u{1F69A} ke seluruh Indonesia`;
    const r = await quote([{ ...row, description: long }]);
    expect({ status: r.status, stored: r.stored }).toEqual({ status: 200, stored: 1 });
    expect(r.body[0].costs[0].description).toBe(long);
    const [q] = await raw.app.db.courierQuote.findMany({ orderBy: { id: 'desc' }, take: 1 });
    expect(q!.description).toBe(long.slice(0, 199));
  });

  it('keeps reading well-formed answers as before (a numeric string cost, no description or etd)', async () => {
    const r = await quote([{ ...row, cost: '11000' }, { ...row, service: 'YES', cost: 20000.4, description: null, etd: undefined }]);
    expect(r).toEqual({
      status: 200,
      stored: 2,
      body: [
        {
          code: 'jne',
          name: 'Jalur Nugraha Ekakurir (JNE)',
          costs: [
            { service: 'REG', description: 'Layanan Reguler', cost: [{ value: 11000, etd: '2 day', note: '' }] },
            { service: 'YES', description: '', cost: [{ value: 20000, etd: '', note: '' }] },
          ],
        },
      ],
    });
  });
});

describe('same-day segments and process/sameday/courier', () => {
  it('manages segments (staff), refuses overlaps, even in parallel', async () => {
    expect((await t.http.post('/deliveries/create').set(t.auth(customer)).send({ distance_fr: 0, distance_to: 5, price_in_km: 6800 })).status).toBe(403);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 0, distance_to: 5, segment: 'Range dari 0 s.d 5 KM', price_in_km: 6800 }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const created = results.find((r) => r.status === 200)!.body.deliveries;
    expect(created).toEqual({ id: expect.any(Number), distance_fr: 0, distance_to: 5, segment: 'Range dari 0 s.d 5 KM', price_in_km: 6800 });
    const second = await t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 5, distance_to: 10, segment: '5-10', price_in_km: '6000' });
    expect(second.status).toBe(200);
    expect((await t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 4, distance_to: 6, price_in_km: 1 })).status).toBe(409);
    expect((await t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 6, distance_to: 6, price_in_km: 1 })).status).toBe(400);
    expect((await t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 20, distance_to: 30, price_in_km: 1.5 })).status).toBe(400);

    const explore = await t.http.post('/deliveries/explore?page=1&length=10').set(t.auth(customer)).send({});
    expect(explore.body).toMatchObject({ page: 1, totalpage: 1, length: 10, displayed: 2, totaldata: 2 });
    expect(explore.body.data[0]).toEqual(created);
    const search = await t.http.post('/deliveries/search').set(t.auth(admin)).send({ distance: 7 });
    expect(search.body.deliveries.map((d: { id: number }) => d.id)).toEqual([second.body.deliveries.id]);
    const table = await t.http.post('/deliveries/table').set(t.auth(admin)).send({ draw: 3, start: 0, length: 10, order: [{ column: 4, dir: 'desc' }] });
    expect(table.body).toMatchObject({ draw: 3, recordsTotal: 2, recordsFiltered: 2 });
    expect(table.body.data[0]).toEqual([created.id, 0, 5, 'Range dari 0 s.d 5 KM', 6800]);
    expect((await t.http.get(`/deliveries/${created.id}`).set(t.auth(customer))).body).toEqual({ deliveries: created });
    // updating a segment onto itself is no overlap; onto its neighbour is
    const upd = await t.http.put(`/deliveries/${created.id}/update`).set(t.auth(admin)).send({ distance_fr: 0, distance_to: 5, segment: 'Dekat', price_in_km: 6800 });
    expect(upd.body.deliveries.segment).toBe('Dekat');
    expect((await t.http.put(`/deliveries/${created.id}/update`).set(t.auth(admin)).send({ distance_fr: 0, distance_to: 7, price_in_km: 1 })).status).toBe(409);
    const tmp = await t.http.post('/deliveries/create').set(t.auth(admin)).send({ distance_fr: 100, distance_to: 200, price_in_km: 1 });
    expect((await t.http.delete(`/deliveries/${tmp.body.deliveries.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/deliveries/${tmp.body.deliveries.id}`).set(t.auth(admin))).status).toBe(404);
  });

  it('prices same-day delivery by haversine distance × the segment rate', async () => {
    const id = await cart(customer);
    // warehouse (-6.2, 106.8) → (-6.2, 106.83): 3.3 km → 4 km started × 6,800
    const r = await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.2, lng_kirim: 106.83, courier: 'sameday' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ process_sameday_courier: true, distance: 3.3, distance_unit: 'km', costs: 27200 });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({
      courier: 'sameday',
      courier_price: 27200,
      is_courier: 1,
      distance: 3.3,
      lat_kirim: -6.2,
      lng_kirim: 106.83,
      grand_totals: 177200,
    });
    // 7.8 km falls in the 5–10 km segment: 8 × 6,000
    const far = await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.25, lng_kirim: 106.85 });
    expect(far.body).toMatchObject({ distance: 7.8, costs: 48000 });
    // 55 km: no segment reaches it
    expect((await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.5, lng_kirim: 107.2 })).status).toBe(422);
    expect((await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.2, lng_kirim: 106.83, courier: 'jne' })).status).toBe(400);
    expect((await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(other)).send({ lat_kirim: -6.2, lng_kirim: 106.83 })).status).toBe(404);
  });

  it('refuses same-day delivery for an empty cart (422), as process/courier does, and keeps no courier price', async () => {
    const patient = await t.app.db.patient.create({ data: { nama_lengkap_pasien: 'Pasien', id_users: customer.id } });
    const empty = await t.app.db.order.create({ data: { order_type: 'E', id_member: customer.id, id_patients: patient.id } });
    // a cart whose only line was cancelled is empty too
    const cancelled = await cart(customer);
    await t.app.db.orderItem.updateMany({ where: { id_order: cancelled }, data: { is_canceled: 1 } });
    for (const id of [empty.id, cancelled]) {
      const r = await t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.2, lng_kirim: 106.83 });
      expect(r.status).toBe(422);
      expect(r.body.message).toMatch(/empty/);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ courier: '', courier_price: 0, is_courier: 0 });
    }
  });

  it('keeps one consistent courier under parallel changes', async () => {
    const id = await cart(customer);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => t.http.put(`/orders/${id}/process/sameday/courier`).set(t.auth(customer)).send({ lat_kirim: -6.2, lng_kirim: 106.83 })),
      ...Array.from({ length: 4 }, () => t.http.put(`/orders/${id}/unprocess/courier`).set(t.auth(customer))),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    // either state is fine, but never a mix: the total always matches the courier price
    expect(o.grand_totals).toBe(150000 + o.courier_price);
    expect([0, 27200]).toContain(o.courier_price);
    expect(o.is_courier).toBe(o.courier_price ? 1 : 0);
  });
});

describe('the settings row made on first use', () => {
  // Race shown on PostgreSQL (TEST_DATABASE_URL): PGlite runs one statement at a time.
  it('is made once when a same-day choice and another request need it at the same moment (a 500 before)', async () => {
    const fresh = await createTestApp({ WAREHOUSE_LAT: '-6.2', WAREHOUSE_LNG: '106.8' });
    try {
      const u = await fresh.user(['CUSTOMER']);
      await fresh.app.db.delivery.create({ data: { distance_fr: 0, distance_to: 10, price_in_km: 6800 } });
      const menu = await fresh.app.db.menu.create({ data: { nama_menus: 'Toner', harga: 50000, berat: 400 } });
      const patient = await fresh.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: u.id } });
      const order = await fresh.app.db.order.create({
        data: { order_type: 'E', id_member: u.id, id_patients: patient.id, items: { create: { id_menu: menu.id, qty: 1, price: 50000, price_total: 50000 } } },
      });
      expect(await fresh.app.db.deliverySetting.count()).toBe(0);
      // another request has just made the row (not committed yet) when the same-day choice wants it
      const r = await whileHolding(
        fresh.app.db,
        (tx) => tx.deliverySetting.create({ data: { scope: 'default', lat_gudang: -6.2, lng_gudang: 106.8, kode_kurir: ['jne'] } }),
        () => fresh.http.put(`/orders/${order.id}/process/sameday/courier`).set(fresh.auth(u)).send({ lat_kirim: -6.2, lng_kirim: 106.83 }),
      );
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { process_sameday_courier: true, distance: 3.3, distance_unit: 'km', costs: 27200 } });
      expect(await fresh.app.db.deliverySetting.count()).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('offline fallback (no RAJAONGKIR_API_KEY)', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await createTestApp();
  });
  afterAll(() => off.close());

  it('serves a built-in region table and flat-rate quotes that process/courier accepts', async () => {
    const u = await off.user(['CUSTOMER']);
    expect((await off.http.get('/deliveries/provinces').set(off.auth(u))).body).toContainEqual({ province_id: '9', province: 'JAWA BARAT' });
    const d = await off.http.get('/deliveries/23/districts').set(off.auth(u));
    expect(d.body[0]).toMatchObject({ subdistrict_id: '330', city: 'KOTA BANDUNG', province: 'JAWA BARAT' });
    const menu = await off.app.db.menu.create({ data: { nama_menus: 'Serum', harga: 80000, berat: 1500 } });
    const patient = await off.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: u.id } });
    const order = await off.app.db.order.create({
      data: { order_type: 'E', id_member: u.id, id_patients: patient.id, kode_kecamatan: '330', items: { create: { id_menu: menu.id, qty: 1, price: 80000, price_total: 80000 } } },
    });
    const q = await off.http.post('/deliveries/calculate').set(off.auth(u)).send({ id_order: order.id, courier: 'jne' });
    expect(q.body[0].costs[0]).toEqual({ service: 'REG', description: 'Offline flat rate (regular)', cost: [{ value: 20000, etd: '2-3', note: '' }] });
    expect((await off.http.put(`/orders/${order.id}/process/courier`).set(off.auth(u)).send({ courier: 'jne', costs: 20000 })).body).toEqual({ process_courier: true, costs: 20000 });
  });

  it('refuses a quote beyond the 32-bit cost column with 422 (plain-SQL insert), storing nothing', async () => {
    // 300 × 1,000 kg at the flat 10,000 per kg: 3,000,000,000 rupiah
    const u = await off.user(['CUSTOMER']);
    const menu = await off.app.db.menu.create({ data: { nama_menus: 'Drum', harga: 1000, berat: 1_000_000 } });
    const patient = await off.app.db.patient.create({ data: { nama_lengkap_pasien: 'P', id_users: u.id } });
    const order = await off.app.db.order.create({
      data: { order_type: 'E', id_member: u.id, id_patients: patient.id, kode_kecamatan: '330', items: { create: { id_menu: menu.id, qty: 300, price: 1000, price_total: 300_000 } } },
    });
    const q = await off.http.post('/deliveries/calculate').set(off.auth(u)).send({ id_order: order.id, courier: 'jne' });
    expect({ status: q.status, message: q.body.message }).toEqual({ status: 422, message: expect.stringMatching(/too large/) });
    expect(await off.app.db.courierQuote.count({ where: { id_orders: order.id } })).toBe(0);
  });
});

describe('assertCourierStillValid (used by checkout)', () => {
  it('accepts the chosen quote only while the cart weight and address are unchanged', async () => {
    const { assertCourierStillValid } = await import('../../src/modules/shipping/shipping.service.js');
    const id = await cart(customer, { kode_kecamatan: '330' });
    const load = () => t.app.db.order.findUniqueOrThrow({ where: { id } });
    await expect(assertCourierStillValid(t.app.db, await load())).rejects.toMatchObject({ status: 422 });
    await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' });
    await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 });
    await expect(assertCourierStillValid(t.app.db, await load())).resolves.toBeUndefined();
    await t.app.db.orderItem.updateMany({ where: { id_order: id }, data: { qty: 4 } });
    await expect(assertCourierStillValid(t.app.db, await load())).rejects.toMatchObject({ status: 422 });
  });
});

describe('re-quoting keeps the chosen courier valid', () => {
  it('an expired quote backing the chosen courier survives a later deliveries/calculate, so checkout takes the unchanged cart', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' });
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(200);
    // the customer comes back after the quotes expired and compares another courier
    await t.app.db.courierQuote.updateMany({ where: { id_orders: id }, data: { expires_at: new Date(Date.now() - 1000) } });
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'pos' })).status).toBe(200);
    // cart, address and courier are unchanged: checkout takes them (expiry does not matter at checkout)
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({});
    expect({ status: r.status, message: r.body.message }).toEqual({ status: 200, message: undefined });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT', courier: 'jne', courier_price: 22000 });
  });
});

describe('quoting again replaces the quotes it renews', () => {
  it('identical quotes do not pile up, and a superseded (older, cheaper) price of the same service is no longer taken', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    for (let i = 0; i < 3; i++) expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(200);
    // one row per service (REG, YES), not one per call
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(2);
    // an earlier answer priced REG lower (RajaOngkir's rate has gone up since)
    await t.app.db.courierQuote.updateMany({ where: { id_orders: id, service: 'REG' }, data: { cost: 15000 } });
    expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' })).status).toBe(200);
    const rows = await t.app.db.courierQuote.findMany({ where: { id_orders: id }, orderBy: { cost: 'asc' } });
    expect(rows.map((q) => [q.service, q.cost])).toEqual([['REG', 22000], ['YES', 40000]]);
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 15000 })).status).toBe(422);
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(200);
    // the chosen courier's quote is renewed in place too, not kept beside its copies
    for (let i = 0; i < 2; i++) await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' });
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(2);
    // quotes of another courier are added beside
    await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'pos' });
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(4);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two deliveries/calculate of one cart at the same moment', () => {
  // Race shown on PostgreSQL (TEST_DATABASE_URL): PGlite runs one statement at a time.
  it('leave one quote per courier service, not one per call (the second replaces what the first stored)', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    const row = (service: string, cost: number) => ({
      id_orders: id, courier: 'jne', service, description: 'Layanan', cost, etd: '2 day', weight: 1200, origin: '331', destination: '330',
      expires_at: new Date(Date.now() + 3_600_000),
    });
    // the other call has stored its quotes (REG at an older price) and not committed yet when this one stores its own
    const r = await whileHolding(
      t.app.db,
      (tx) => tx.courierQuote.createMany({ data: [row('REG', 21000), row('YES', 40000)] }),
      () => t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' }),
    );
    expect(r.status).toBe(200);
    const rows = await t.app.db.courierQuote.findMany({ where: { id_orders: id }, orderBy: { cost: 'asc' } });
    expect(rows.map((q) => [q.service, q.cost])).toEqual([['REG', 22000], ['YES', 40000]]);
    // the older REG price is not taken
    expect((await t.http.put(`/orders/${id}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 21000 })).status).toBe(422);
  });

  it('store nothing for an order checked out while RajaOngkir was asked (409)', async () => {
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    const r = await whileHolding(
      t.app.db,
      (tx) => tx.$executeRaw`UPDATE orders SET status = 'CHECKOUT', cart_open = NULL WHERE id = ${id}`,
      () => t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' }),
    );
    expect({ status: r.status, message: r.body.message }).toEqual({ status: 409, message: expect.stringMatching(/CHECKOUT.*cart/) });
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(0);
  });
});

describe('the hourly purge of expired quotes', () => {
  it('deletes, in batches, the expired quotes of orders never quoted again, but keeps the chosen courier’s and unexpired ones; checkout still takes the chosen courier', async () => {
    const { purgeExpiredQuotes } = await import('../../src/modules/shipping/shipping.service.js');
    const quoted = async () => {
      const id = await cart(customer);
      expect((await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address)).status).toBe(200);
      for (const courier of ['jne', 'pos']) expect((await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier })).status).toBe(200);
      return id;
    };
    const chosen = await quoted();
    expect((await t.http.put(`/orders/${chosen}/process/courier`).set(t.auth(customer)).send({ courier: 'jne', costs: 22000 })).status).toBe(200);
    const abandoned = await quoted();
    const current = await quoted();
    const expire = (id: number) => t.app.db.courierQuote.updateMany({ where: { id_orders: id }, data: { expires_at: new Date(Date.now() - 1000) } });
    await expire(chosen);
    await expire(abandoned);
    const before = await t.app.db.courierQuote.count({ where: { id_orders: current } });
    expect(before).toBeGreaterThan(2);

    // batches of 2: more than one batch is needed
    expect(await purgeExpiredQuotes(t.app, 2)).toBeGreaterThanOrEqual(2 * before - 1);
    const left = (id: number) => t.app.db.courierQuote.findMany({ where: { id_orders: id }, select: { courier: true, service: true, cost: true } });
    expect(await left(chosen)).toEqual([{ courier: 'jne', service: 'REG', cost: 22000 }]);
    expect(await left(abandoned)).toEqual([]);
    expect(await t.app.db.courierQuote.count({ where: { id_orders: current } })).toBe(before);
    expect(await purgeExpiredQuotes(t.app, 2)).toBe(0);

    const r = await t.http.put(`/orders/${chosen}/checkout`).set(t.auth(customer)).send({});
    expect({ status: r.status, message: r.body.message }).toEqual({ status: 200, message: undefined });
  });

  it.runIf(process.env.TEST_DATABASE_URL)('leaves the quotes of an order whose courier is being chosen (row locked) to the next run, without waiting for it', async () => {
    const { purgeExpiredQuotes } = await import('../../src/modules/shipping/shipping.service.js');
    const id = await cart(customer);
    await t.http.put(`/orders/${id}/update/address`).set(t.auth(customer)).send(address);
    await t.http.post('/deliveries/calculate').set(t.auth(customer)).send({ id_order: id, courier: 'jne' });
    await t.app.db.courierQuote.updateMany({ where: { id_orders: id }, data: { expires_at: new Date(Date.now() - 1000) } });
    const quotes = await t.app.db.courierQuote.count({ where: { id_orders: id } });
    expect(quotes).toBe(2);
    await t.app.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM orders WHERE id = ${id} FOR UPDATE`;
      await purgeExpiredQuotes(t.app);
      expect(await tx.courierQuote.count({ where: { id_orders: id } })).toBe(quotes);
    });
    await purgeExpiredQuotes(t.app);
    expect(await t.app.db.courierQuote.count({ where: { id_orders: id } })).toBe(0);
  });
});

describe('RajaOngkir answering ever so slowly', () => {
  // A server (or a proxy) that sends its answer a byte at a time: each byte comes well within the
  // idle timeout, so only a bound on the whole call ends it. Concurrent callers share one upstream
  // request per list, so a request that never ends would hang every later caller of that list too.
  const trickling = new Set<import('node:http').ServerResponse>();
  const slow = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"meta":{"message":"Success","code":200,"status":"success"},"data":[');
    const timer = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(timer));
    trickling.add(res);
  });
  let s: TestApp;
  beforeAll(async () => {
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    s = await createTestApp({
      RAJAONGKIR_BASE_URL: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      RAJAONGKIR_API_KEY: 'test-key',
      RAJAONGKIR_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await s.close();
    for (const res of trickling) res.destroy();
    await new Promise<void>((r) => slow.close(() => r()));
  });

  it('answers 503 after RAJAONGKIR_TIMEOUT_MS, and the next caller asks again (no request left hanging in the cache)', async () => {
    const u = await s.user(['CUSTOMER']);
    const first = await s.http.get('/deliveries/provinces').set(s.auth(u));
    expect({ status: first.status, message: first.body.message }).toEqual({ status: 503, message: expect.stringMatching(/RajaOngkir/) });
    expect((await s.http.get('/deliveries/provinces').set(s.auth(u))).status).toBe(503);
    expect(trickling.size).toBe(2);
  });
});
