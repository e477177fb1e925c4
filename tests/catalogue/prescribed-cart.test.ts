import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { consultationFixture, createMenu, pay } from '../consultations/fixtures.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** The orderer and delivery fields of a cart, as orders/init fills them from the member and the patient. */
const cartFields = (o: Record<string, unknown>) => ({
  nama_pemesan: o.nama_pemesan,
  notelp_pemesan: o.notelp_pemesan,
  email_pemesan: o.email_pemesan,
  alamat_pemesan: o.alamat_pemesan,
  alamat_kirim: o.alamat_kirim,
  nama_penerima: o.nama_penerima,
  kode_provinsi: o.kode_provinsi,
  kode_kota: o.kode_kota,
  kode_kecamatan: o.kode_kecamatan,
  lat_kirim: o.lat_kirim,
  lng_kirim: o.lng_kirim,
});

describe('the cart a prescription opens (menu_reedems/add_to_carts without an open cart)', () => {
  it('carries the orderer and the patient’s delivery address, as a cart opened by orders/init', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const id_threads = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
    await t.app.db.user.update({ where: { id: f.customer.id }, data: { users_address: 'Jl. Pemesan 1, Bandung' } });
    await t.app.db.patient.update({
      where: { id: f.patient.id },
      data: { alamat_domisili: 'Jl. Dago 120, Bandung', kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '349', lat: -6.88, lng: 107.61 },
    });
    const menuId = (await createMenu(t)).id;
    await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads, id_menu: menuId, qty: 1 }).expect(200);

    const res = await t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads, id_menu: menuId });
    expect(res.status, res.text).toBe(200);
    const cart = await t.app.db.order.findFirstOrThrow({ where: { id_member: f.customer.id, id_patients: f.patient.id, order_type: 'E', cart_open: 1 } });

    // the same customer and patient through orders/init: a consultation cart (the E one is open already)
    const init = await t.http.post('/orders/init').set(t.auth(f.customer)).send({ id_patients: f.patient.id, order_type: 'C' });
    expect(init.status, init.text).toBe(200);
    const viaInit = await t.app.db.order.findUniqueOrThrow({ where: { id: init.body.orders.id } });
    expect(cartFields(viaInit)).toMatchObject({ nama_pemesan: expect.stringMatching(/\S/), alamat_kirim: 'Jl. Dago 120, Bandung', nama_penerima: 'Pasien Satu', kode_kecamatan: '349' });
    expect(cartFields(cart)).toEqual(cartFields(viaInit));
  });
});
