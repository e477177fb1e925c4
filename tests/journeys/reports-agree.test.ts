import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCells, csv } from './shop.js';
import { MIDTRANS_KEY, newPerson, OWNER, register, startWorld, type World, clinicDateTime, clinicDayAhead, DAYS, onClinicDay } from './world.js';


let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Midtrans, after refunding part of a paid Snap transaction in its dashboard, notifies the webhook. */
async function midtransRefundsPart(snapToken: string, refund: number) {
  const snap = w.midtrans.snapRequests.find((r) => snapToken.startsWith('tok-') && snapToken.endsWith(`-${r.transaction_details.order_id}`))!;
  const { order_id, gross_amount } = snap.transaction_details;
  const gross = `${gross_amount}.00`;
  const signature_key = createHash('sha512').update(`${order_id}200${gross}${MIDTRANS_KEY}`).digest('hex');
  const res = await w.t.http.post('/payments/webhooks/midtrans').send({
    transaction_status: 'partial_refund', transaction_id: `trx-${order_id}`, status_code: '200', gross_amount: gross, signature_key, payment_type: 'bank_transfer', order_id, fraud_status: 'accept',
    refund_amount: `${refund}.00`, refunds: [{ refund_amount: `${refund}.00`, reason: 'Satu botol pecah', created_at: '2026-12-01 10:00:00' }],
  });
  expect(res.status).toBe(200);
  return res.body.result as string;
}

describe('journey: the reports agree with what happened', () => {
  it('customers buy, pay, cancel, leave unpaid, get part refunded, consult and visit; every report, card and CSV shows exactly that', async () => {
    const owner = (await w.signIn(OWNER.username, OWNER.password)).bearer;
    const adminPerson = newPerson('admin');
    await register(w, adminPerson, { roles: ['ADMIN'], positions: 'Admin' }, owner);
    const admin = (await w.signIn(adminPerson.username, adminPerson.password)).bearer;

    // the shop, a consulting doctor and a clinic service
    const serum = (await w.call('post', '/menus/create', admin, { nama_menus: 'Serum Retinol', harga: 100_000, pajak: 0, is_resep_required: 0, satuan: 'Botol', berat: '200' })).body.menus;
    const toner = (await w.call('post', '/menus/create', admin, { nama_menus: 'Toner Hydra', harga: 50_000, pajak: 0, is_resep_required: 0, satuan: 'Botol', berat: '300' })).body.menus;
    const gudang = (await w.call('post', '/brandstore/create', admin, { nama: 'Gudang', alamat: 'Jl. Gudang 1', notelp: '0221', opentime: '08:00', closetime: '17:00', city: 'Bandung', lat: 0, lng: 0, is_show: 0, groupname: 'CLD' })).body.brandstore;
    for (const m of [serum, toner]) await w.call('post', '/brandstore_menus/create', admin, { idmenu: m.id, idbrandstore: gudang.id, quantitytotal: 50 });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: Number(gudang.id) });
    await w.call('post', '/promotions/create', admin, { type: 'POTONGAN', value: 20_000, quota: 10, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(30), display_codes: 'HEMAT20', title: 'Hemat' });
    const drPerson = { ...newPerson('dr'), users_fullname: 'dr. Maya Sp.KK' };
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Laser', codes: 'LS', color: '#000000' })).body.service_categories;
    const laser = (await w.call('post', '/services/create', admin, { services_name: 'Laser Toning', services_price: '400000', buffer_time: '45', id_service_categories: cat.id })).body.services;
    const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), id_services: laser.id, custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: laser.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
    for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '13:00', jam_selesai: '15:15' });
    await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id });

    const customer = async (name: string) => {
      const person = newPerson(name);
      await register(w, person);
      const bearer = (await w.signIn(person.username, person.password)).bearer;
      const patient = (await w.call('post', '/patients/create', bearer, { nama_lengkap_pasien: `Pasien ${name}`, jenis_kelamin: 'P' })).body.patients;
      return { person, bearer, patientId: patient.id as number };
    };
    const buy = async (c: { bearer: string; patientId: number }, items: { id_menu: number; qty: number }[], code?: string) => {
      const cart = (await w.call('post', '/orders/init', c.bearer, { id_patients: c.patientId, order_type: 'E' })).body.orders;
      await w.call('post', '/orders/e_add_to_carts', c.bearer, { id_order: cart.id, items });
      await w.call('put', `/orders/${cart.id}/update/address`, c.bearer, { kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 331, alamat_kirim: 'Jl. Sukajadi 10' });
      const quotes = (await w.call('post', '/deliveries/calculate', c.bearer, { id_order: cart.id, courier: 'jne' })).body;
      const reg = quotes[0].costs.find((q: { service: string }) => q.service === 'REG');
      await w.call('put', `/orders/${cart.id}/process/courier`, c.bearer, { courier: 'jne', costs: reg.cost[0].value });
      if (code) await w.call('put', `/orders/${cart.id}/apply/promotions`, c.bearer, { display_codes: code });
      const checkout = (await w.call('put', `/orders/${cart.id}/checkout`, c.bearer, {})).body;
      return { id: cart.id as number, code: checkout.orders.order_code as string, token: checkout.token as string, shipping: reg.cost[0].value as number };
    };

    // Ani: two serums and a toner with the code, paid; later a consultation, paid
    const ani = await customer('ani');
    const a1 = await buy(ani, [{ id_menu: Number(serum.id), qty: 2 }, { id_menu: Number(toner.id), qty: 1 }], 'HEMAT20');
    await w.midtransSettles(a1.token);
    const a1Grand = 250_000 + a1.shipping - 20_000;
    const consult = (await w.call('post', '/orders/init', ani.bearer, { id_patients: ani.patientId, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', ani.bearer, { id_order: consult.id, items: [{ id_doctors: doctor.id, qty: 1 }] });
    const consultOut = (await w.call('put', `/orders/${consult.id}/checkout`, ani.bearer, {})).body;
    await w.midtransSettles(consultOut.token);
    // Budi: one serum, paid; Midtrans later refunds 30,000 of it (a broken bottle)
    const budi = await customer('budi');
    const b1 = await buy(budi, [{ id_menu: Number(serum.id), qty: 1 }]);
    await w.midtransSettles(b1.token);
    expect(await midtransRefundsPart(b1.token, 30_000)).toBe('reversed_partial');
    const b1Revenue = 100_000 + b1.shipping - 30_000;
    // Citra: three toners checked out, never paid; and a serum paid, then cancelled by staff
    const citra = await customer('citra');
    await buy(citra, [{ id_menu: Number(toner.id), qty: 3 }]);
    const cancelled = await buy(citra, [{ id_menu: Number(serum.id), qty: 1 }]);
    await w.midtransSettles(cancelled.token);
    await w.call('put', `/orders/${cancelled.id}/cancel`, admin, { cancel_reason: 'Stok rusak' });

    // Budi's patient visits the clinic: booked, arrived and served on the visit day
    const visit = clinicDayAhead(2);
    const days = (await w.call('post', '/user_schedules/check/doctor/availability', budi.bearer, { id_doctors: doctor.id, id_services: laser.id })).body as any[];
    const slot = days.find((d) => d.schedule === visit.iso).doctors[0];
    expect(slot).toMatchObject({ jam_mulai: '13:00', jam_selesai: '13:45' });
    const booked = (await w.call('post', '/user_schedules/create', budi.bearer, { id_doctor_schedules: slot.id, tanggal: visit.dmy, id_patients: budi.patientId })).body.user_schedules;
    await onClinicDay(w, visit.iso, '12:55', async () => {
      await w.call('put', `/user_schedules/${booked.id}/arrived`, admin, {});
      await w.call('put', `/user_schedules/${booked.id}/done`, admin, { digisoft_invoice_numbers: '0002/2026/12-CLD' });
    });

    // ----- the owner's reports for today -----
    const today = { tgl_awal: clinicDayAhead(0).dmy, tgl_akhir: clinicDayAhead(0).dmy };
    const sales = a1Grand + b1Revenue;
    const stats = (await w.call('post', '/report/penjualan/stats', owner, today)).body;
    expect(stats).toEqual({
      total_sales: 2,
      total_online_consultation: 1,
      amount_sales: sales,
      amount_online_consultation: 125_000,
      amount_discount: 20_000,
      amount_total: sales + 125_000,
      total_customer: 2,
    });

    const table = { draw: 1, start: 0, length: 50, 'order[0][column]': 0, 'order[0][dir]': 'asc', ...today };
    const overall = (await w.call('post', '/report/penjualan/overall', owner, table)).body;
    const byCode = Object.fromEntries((overall.data as unknown[][]).map((r) => [r[0], r]));
    expect(Object.keys(byCode).sort()).toEqual([a1.code, b1.code, consultOut.orders.order_code].sort());
    expect(byCode[a1.code]!.slice(2)).toEqual(['E', `Journey ${ani.person.username}`, 250_000, 20_000, a1.shipping, 0, a1Grand, 'PAID']);
    expect(byCode[b1.code]!.slice(2)).toEqual(['E', `Journey ${budi.person.username}`, 100_000, 0, b1.shipping, 0, b1Revenue, 'PAID']);
    expect(byCode[consultOut.orders.order_code]!.slice(2)).toEqual(['C', `Journey ${ani.person.username}`, 125_000, 0, 0, 0, 125_000, 'PAID']);
    expect((overall.data as unknown[][]).reduce((s, r) => s + Number(r[8]), 0)).toBe(stats.amount_total);

    // the search box finds Budi's order; the E filter leaves the consultation out
    const searched = (await w.call('post', '/report/penjualan/overall', owner, { ...table, 'search[value]': budi.person.users_fullname.toUpperCase() })).body;
    expect({ total: searched.recordsTotal, filtered: searched.recordsFiltered, codes: searched.data.map((r: unknown[]) => r[0]) }).toEqual({ total: 3, filtered: 1, codes: [b1.code] });
    const eOnly = (await w.call('post', '/report/penjualan/stats', owner, { ...today, order_type: 'E' })).body;
    expect(eOnly).toMatchObject({ total_sales: 2, total_online_consultation: 0, amount_total: sales });
    const products = (await w.call('post', '/report/penjualan/products', owner, table)).body.data as unknown[][];
    expect(products).toEqual(expect.arrayContaining([['Serum Retinol', 3, 300_000], ['Toner Hydra', 1, 50_000]]));
    expect(products).toHaveLength(2);
    const consults = (await w.call('post', '/report/penjualan/online_consultations', owner, table)).body.data as unknown[][];
    expect(consults).toEqual([['dr. Maya Sp.KK', 1, 125_000]]);
    const visitDay = { tgl_awal: visit.dmy, tgl_akhir: visit.dmy };
    const perfTable = { draw: 1, start: 0, length: 50, ...visitDay };
    const perf = (await w.call('post', '/report/offline/appoinment/performance', owner, perfTable)).body.data as unknown[][];
    expect(perf).toEqual([['dr. Maya Sp.KK', 'Laser Toning', 1, 45, '']]);

    // the CSV downloads hold the same rows under the documented headers
    expect(await csv(w, owner, '/report/penjualan/overall', table)).toEqual([
      ['order_code', 'order_date', 'order_type', 'nama_pemesan', 'total_price', 'total_discount', 'courier_price', 'poin_used', 'grand_totals', 'status'],
      ...asCells(overall.data),
    ]);
    expect(await csv(w, owner, '/report/penjualan/products', table)).toEqual([['nama_menus', 'qty', 'price_total'], ...asCells(products.slice().sort((x, y) => Number(y[1]) - Number(x[1])))]);
    expect(await csv(w, owner, '/report/penjualan/online_consultations', table)).toEqual([['doctors', 'qty', 'amount'], ...asCells(consults)]);
    expect(await csv(w, owner, '/report/offline/appoinment/performance', perfTable)).toEqual([['doctors', 'services_name', 'qty', 'durations', 'doctors_picture_url'], ...asCells(perf)]);

    // the dashboard cards (year to date)
    const month = Number(clinicDayAhead(0).iso.slice(5, 7));
    const pendapatan = (await w.call('post', '/dashboard/total/pendapatan', owner, {})).body.pendapatan as { months: number; amounts: string }[];
    expect(pendapatan).toHaveLength(month);
    expect(pendapatan.find((p) => p.months === month)!.amounts).toBe(String(sales + 125_000));
    expect(pendapatan.filter((p) => p.months !== month).every((p) => p.amounts === '0')).toBe(true);
    const invoice = (await w.call('post', '/dashboard/total/invoice', owner, {})).body.invoice as { months: number; counts: number }[];
    expect(invoice.find((p) => p.months === month)!.counts).toBe(3);
    const top = (await w.call('post', '/dashboard/total/products', owner, {})).body.items;
    expect(top).toEqual([
      { id_menu: Number(serum.id), nama_menus: 'Serum Retinol', counts: '3' },
      { id_menu: Number(toner.id), nama_menus: 'Toner Hydra', counts: '1' },
    ]);
    // the fulfilment queue holds the two paid parcels (not the unpaid or the cancelled one); its CSV too
    const queue = (await w.call('post', '/dashboard/upcoming/ecommerce', owner, { draw: 1, start: 0, length: 50 })).body.data as unknown[][];
    expect(queue.map((r) => r[0])).toEqual([a1.id, b1.id]);
    const queueCsv = await csv(w, owner, '/dashboard/upcoming/ecommerce', { draw: 1, start: 0, length: 50 });
    expect(queueCsv.slice(1)).toEqual(asCells(queue));
    const upcomingCsv = await csv(w, owner, '/dashboard/upcoming/offline_appoinments', { draw: 1, start: 0, length: 50 });
    expect(upcomingCsv.slice(1)).toEqual([]);

    // the visit counts among the year's services from its day on
    expect((await w.call('post', '/dashboard/total/services', owner, {})).body.items).toEqual([]);
    await onClinicDay(w, visit.iso, '16:00', async () => {
      const services = (await w.call('post', '/dashboard/total/services', owner, {})).body.items;
      expect(services).toEqual([{ id_services: laser.id, services_name: 'Laser Toning', counts: 1 }]);
    });
  });
});
