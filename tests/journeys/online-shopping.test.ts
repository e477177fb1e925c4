import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../helpers/pdf-text.js';
import { fillCart, staffSignsIn, staffStockTheShop } from './shop.js';
import { newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff find the paid order in their list and walk it through fulfilment to the courier with a tracking number. */
async function staffShip(admin: string, orderCode: string, resi: string) {
  const paid = (await w.call('post', '/orders/explore?page=1&length=50', admin, { status_array: ['PAID'], order_type: 'E' })).body.data as { id: number; order_code: string }[];
  const orderId = paid.find((o) => o.order_code === orderCode)!.id;
  for (const step of ['prepared', 'processing', 'pickup']) await w.call('put', `/orders/${orderId}/${step}`, admin, {});
  await w.call('put', `/orders/${orderId}/process/noresi`, admin, { nomor_resi: resi });
}

const invoicePdf = (bearer: string, orderId: number) =>
  w.t.http
    .get(`/orders/${orderId}/invoices`)
    .set('Authorization', `Bearer ${bearer}`)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

describe('journey: a new customer buys online', () => {
  it('registers, adds a patient, fills a cart, pays through Midtrans, receives the parcel, rates it and spends the points', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    // the store online orders take their stock from
    expect((await w.call('get', '/deliveries/settings', admin)).body.id_brandstore_gudang).toBe(shop.storeId);

    // a new customer signs up on the app and signs in
    const person = newPerson('buyer');
    await register(w, person);
    const me = await w.signIn(person.username, person.password);
    const customer = me.bearer;
    await w.call('post', '/users/register_device_token', customer, { device_token: 'journey-phone-1', already_login: false });

    // adds the patient the products are for, with an allergy
    const patient = (await w.call('post', '/patients/create', customer, { nama_lengkap_pasien: 'Sari Buyer', jenis_kelamin: 'P', tanggal_lahir: '12/03/1990', alamat_domisili: 'Bandung' })).body.patients;
    await w.call('post', '/patient_allergies/create', customer, { id_patients: patient.id, allergies: 'Paraben' });
    const seen = (await w.call('get', `/patients/${patient.id}`, customer)).body.patients;
    expect(JSON.stringify(seen)).toContain('Paraben');

    // browses the catalogue and the store's stock
    const explore = (await w.call('post', '/menus/explore?page=1&length=10', customer, {})).body;
    expect(explore.data.map((m: { id: number }) => Number(m.id))).toContain(shop.menuId);
    const inStore = (await w.call('post', '/brandstore_menus/search', customer, { idbrandstore: shop.storeId })).body.brandstoremenus;
    expect(inStore.find((r: { idmenu: number }) => Number(r.idmenu) === shop.menuId)).toMatchObject({ stocks: 10 });

    // fills a cart, ships it, applies the promotion code and checks out
    const { orderId, shipping } = await fillCart(w, customer, patient.id, shop.menuId, 2);
    expect((await w.call('put', `/orders/${orderId}/apply/promotions`, customer, { display_codes: shop.code.toLowerCase() })).body).toMatchObject({ apply_promotions: true, value: 25_000 });
    const checkout = (await w.call('put', `/orders/${orderId}/checkout`, customer, { catatan_order: 'Tolong dibungkus rapi' })).body;
    expect(checkout.orders.status).toBe('CHECKOUT');
    const payable = 2 * 100_000 + shipping - 25_000;

    // pays on Midtrans' page; Midtrans notifies the webhook
    expect(w.midtrans.snapRequests.at(-1).transaction_details.gross_amount).toBe(payable);
    await w.midtransSettles(checkout.token);
    expect((await w.call('get', `/orders/${orderId}`, customer)).body.orders).toMatchObject({ status: 'PAID', is_paid: 1 });

    // staff prepare and ship it; the customer sees it shipped with its tracking number
    await staffShip(admin, checkout.orders.order_code, 'JNE0001234567');
    const mine = (await w.call('post', '/orders/explore?page=1&length=10', customer, {})).body.data as any[];
    expect(mine.find((o) => o.id === orderId)).toMatchObject({ status: 'DELIVERED', nomor_resi: 'JNE0001234567' });

    // the parcel arrives: staff record it received, the customer rates the order
    await w.call('put', `/orders/${orderId}/consignee`, admin, {});
    expect((await w.call('get', `/orders/${orderId}`, customer)).body.orders.status).toBe('DONE');
    await w.call('post', '/ratings/create', customer, { id_orders: orderId, ratings: 5, rating_desc: 'Cocok di kulit' });

    // points earned, notifications about the order, the invoice
    const points = (await w.call('post', '/user_points/explore?page=1&length=10', customer, {})).body.data;
    expect(points.length).toBeGreaterThan(0);
    const balance = (await w.call('get', '/users/data', customer)).body.users.total_point as number;
    expect(balance).toBeGreaterThan(0);
    const notes = (await w.call('post', '/notifications/explore?page=1&length=50', customer, {})).body.data;
    const about = notes.filter((n: { reference_id: number | string }) => Number(n.reference_id) === orderId).map((n: { intentions: string }) => n.intentions);
    expect(about).toEqual(expect.arrayContaining(['order_paid', 'order_shipped']));
    const pushed = await w.pushesTo('journey-phone-1');
    const titles = notes.filter((n: { reference_id: number | string }) => Number(n.reference_id) === orderId).map((n: { title: string }) => n.title);
    expect(pushed).toEqual(expect.arrayContaining(titles));
    const pdf = await invoicePdf(customer, orderId);
    expect(pdf.status).toBe(200);
    expect(await pdfText(pdf.body as Buffer)).toContain(checkout.orders.order_code);

    // the next purchase spends the points
    const second = await fillCart(w, customer, patient.id, shop.menuId, 1);
    const spend = Math.min(balance, 10_000);
    await w.call('put', `/orders/${second.orderId}/apply/promotions`, customer, { display_codes: shop.code });
    expect((await w.call('put', `/orders/${second.orderId}/apply/points`, customer, { poin_used: spend })).body).toEqual({ apply_points: true, poin_used: spend });
    const again = (await w.call('put', `/orders/${second.orderId}/checkout`, customer, {})).body;
    expect(w.midtrans.snapRequests.at(-1).transaction_details.gross_amount).toBe(100_000 + second.shipping - 25_000 - spend);
    expect((await w.call('get', '/users/data', customer)).body.users.total_point).toBe(balance - spend);
    await w.midtransSettles(again.token);
    expect((await w.call('get', `/orders/${second.orderId}`, customer)).body.orders.status).toBe('PAID');

    // the three units sold left the warehouse's stock
    const left = (await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: shop.storeId })).body.brandstoremenus;
    expect(left.find((r: { idmenu: number }) => Number(r.idmenu) === shop.menuId)).toMatchObject({ stocks: 7 });
  });
});
