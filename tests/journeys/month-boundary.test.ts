import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCells, csv, fillCart, midtransNotifies, newCustomer, staffSignsIn, staffStockTheShop } from './shop.js';
import { clinicDayAhead, newPerson, OWNER, onClinicDay, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

describe("journey: the owner's month closes at midnight WIB", () => {
  it('sales, a consultation, visits, a refund and a cancellation either side of the last midnight of the month: every report, card and CSV puts each where the clinic’s calendar does', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const owner = (await w.signIn(OWNER.username, OWNER.password)).bearer;
    const shop = await staffStockTheShop(w, admin, { stock: 20 });
    // a doctor who consults online and sees patients at 09:00 every day
    const drPerson = { ...newPerson('dr'), users_fullname: 'dr. Laras Sp.KK' };
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
    const service = (await w.call('post', '/services/create', admin, { services_name: 'Chemical Peeling', services_price: '300000', buffer_time: '30', id_service_categories: cat.id })).body.services;
    const dr = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), id_services: service.id, custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    await w.call('post', '/doctor_services/create', admin, { id_doctors: dr.id, id_services: service.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });

    // the last day of this month (Asia/Jakarta) and the first of the next
    const today = clinicDayAhead(0).iso;
    const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
    const untilLast = Math.round((Date.UTC(y, m, 0) - Date.UTC(y, m - 1, Number(today.slice(8)))) / 86_400_000);
    const last = clinicDayAhead(untilLast);
    const first = clinicDayAhead(untilLast + 1);
    const newYear = first.iso.slice(5, 7) === '01';
    const [oldMonth, newMonth] = [Number(last.iso.slice(5, 7)), Number(first.iso.slice(5, 7))];
    for (const hari of [last.hari, first.hari]) await w.call('post', '/schedules/create', admin, { id_doctors: dr.id, hari, jam: '09:00', jam_selesai: '09:30' });
    await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: dr.id });
    const slotOn = async (hari: string) => ((await w.call('post', '/doctor_schedules/search', admin, { id_doctors: dr.id, hari })).body.doctor_schedules as { id: number }[])[0]!.id;

    const ani = await newCustomer(w, 'ani', 'ani-handphone');
    const budi = await newCustomer(w, 'budi', 'budi-handphone');
    const citra = await newCustomer(w, 'citra', 'citra-handphone');
    // the front desk books Budi's visit on the last day and Ani's on the first day of the next month
    const budiVisit = (await w.call('post', '/user_schedules/create', admin, { id_doctor_schedules: await slotOn(last.hari), tanggal: last.dmy, id_patients: budi.patientId })).body.user_schedules;
    const aniVisit = (await w.call('post', '/user_schedules/create', admin, { id_doctor_schedules: await slotOn(first.hari), tanggal: first.dmy, id_patients: ani.patientId })).body.user_schedules;
    const serve = async (id: number) => {
      await w.call('put', `/user_schedules/${id}/arrived`, admin, {});
      await w.call('put', `/user_schedules/${id}/done`, admin, {});
    };

    // the last day: Budi's visit in the morning; late in the evening Ani buys two tubes and Citra a consultation, both paid; Budi checks out one tube at 23:55
    await onClinicDay(w, last.iso, '09:10', () => serve(budiVisit.id));
    const { ani1, consultCode, budi1 } = await onClinicDay(w, last.iso, '23:50', async () => {
      const a = await fillCart(w, ani.bearer, ani.patientId, shop.menuId, 2);
      const aOut = (await w.call('put', `/orders/${a.orderId}/checkout`, ani.bearer, {})).body;
      await w.midtransSettles(aOut.token);
      const consult = (await w.call('post', '/orders/init', citra.bearer, { id_patients: citra.patientId, order_type: 'C' })).body.orders;
      await w.call('post', '/orders/c_add_to_carts', citra.bearer, { id_order: consult.id, items: [{ id_doctors: dr.id, qty: 1 }] });
      const cOut = (await w.call('put', `/orders/${consult.id}/checkout`, citra.bearer, {})).body;
      await w.midtransSettles(cOut.token);
      const b = await fillCart(w, budi.bearer, budi.patientId, shop.menuId, 1);
      const bOut = await onClinicDay(w, last.iso, '23:55', async () => (await w.call('put', `/orders/${b.orderId}/checkout`, budi.bearer, {})).body);
      return { ani1: { ...a, token: aOut.token as string, code: aOut.orders.order_code as string }, consultCode: cOut.orders.order_code as string, budi1: { ...b, token: bOut.token as string, code: bOut.orders.order_code as string } };
    });
    const aniGrand = 200_000 + ani1.shipping;
    const budiGrand = 100_000 + budi1.shipping;
    // Budi's order is named after the day he checked out
    expect(budi1.code.startsWith(`E-${last.iso.replaceAll('-', '')}-`)).toBe(true);

    // a minute before midnight the month's card holds Ani's order and the consultation
    await onClinicDay(w, last.iso, '23:59', async () => {
      const cards = (await w.call('post', '/dashboard/total/pendapatan', owner, {})).body.pendapatan as { months: number; amounts: string }[];
      expect(cards.find((c) => c.months === oldMonth)!.amounts).toBe(String(aniGrand + 125_000));
    });
    // Budi pays two minutes after midnight: the sale is the new month's
    await onClinicDay(w, first.iso, '00:02', () => w.midtransSettles(budi1.token));
    // the first day: Ani's visit; Midtrans gives Ani 30,000 back for a dented tube; Citra buys a tube, pays, and staff cancel it
    await onClinicDay(w, first.iso, '09:10', () => serve(aniVisit.id));
    await onClinicDay(w, first.iso, '10:00', async () => {
      await midtransNotifies(w, ani1.token, 'partial_refund', { refund_amount: '30000.00', refunds: [{ refund_amount: '30000.00', reason: 'Tube penyok' }] });
      const c = await fillCart(w, citra.bearer, citra.patientId, shop.menuId, 1);
      await w.midtransSettles((await w.call('put', `/orders/${c.orderId}/checkout`, citra.bearer, {})).body.token);
      await w.call('put', `/orders/${c.orderId}/cancel`, admin, { cancel_reason: 'Alamat tidak terjangkau' });
    });

    // ----- what the owner reads at noon on the first day -----
    await onClinicDay(w, first.iso, '12:00', async () => {
      const day = (d: { dmy: string }) => ({ tgl_awal: d.dmy, tgl_akhir: d.dmy });
      const monthOf = (d: { iso: string }) => {
        const [yy, mm] = [Number(d.iso.slice(0, 4)), Number(d.iso.slice(5, 7))];
        const end = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
        return { tgl_awal: `01/${d.iso.slice(5, 7)}/${yy}`, tgl_akhir: `${end}/${d.iso.slice(5, 7)}/${yy}` };
      };
      const oldStats = { total_sales: 1, total_online_consultation: 1, amount_sales: aniGrand - 30_000, amount_online_consultation: 125_000, amount_discount: 0, amount_total: aniGrand - 30_000 + 125_000, total_customer: 2 };
      const newStats = { total_sales: 1, total_online_consultation: 0, amount_sales: budiGrand, amount_online_consultation: 0, amount_discount: 0, amount_total: budiGrand, total_customer: 1 };
      // the refund stays on the day Ani paid; Budi's sale is on the day he paid; Citra's cancelled tube is nowhere
      for (const [range, expected] of [[day(last), oldStats], [monthOf(last), oldStats], [day(first), newStats], [monthOf(first), newStats]] as const) {
        expect((await w.call('post', '/report/penjualan/stats', owner, range)).body).toEqual(expected);
      }
      const table = (range: object) => ({ draw: 1, start: 0, length: 50, 'order[0][column]': 0, 'order[0][dir]': 'asc', ...range });
      const codes = async (range: object) => ((await w.call('post', '/report/penjualan/overall', owner, table(range))).body.data as unknown[][]).map((r) => r[0]).sort();
      expect(await codes(monthOf(last))).toEqual([ani1.code, consultCode].sort());
      expect(await codes(monthOf(first))).toEqual([budi1.code]);
      const overall = (await w.call('post', '/report/penjualan/overall', owner, table(monthOf(last)))).body.data as unknown[][];
      expect((await csv(w, owner, '/report/penjualan/overall', table(monthOf(last)))).slice(1)).toEqual(asCells(overall));
      expect((await w.call('post', '/report/penjualan/products', owner, table(monthOf(last)))).body.data).toEqual([['Sunscreen SPF 50', 2, 200_000]]);
      expect((await w.call('post', '/report/penjualan/products', owner, table(monthOf(first)))).body.data).toEqual([['Sunscreen SPF 50', 1, 100_000]]);
      expect((await w.call('post', '/report/penjualan/online_consultations', owner, table(monthOf(last)))).body.data).toEqual([['dr. Laras Sp.KK', 1, 125_000]]);
      expect((await w.call('post', '/report/penjualan/online_consultations', owner, table(monthOf(first)))).body.data).toEqual([]);
      for (const d of [last, first]) {
        const perf = (await w.call('post', '/report/offline/appoinment/performance', owner, table(day(d)))).body.data as unknown[][];
        expect(perf.map((r) => r.slice(0, 4))).toEqual([['dr. Laras Sp.KK', 'Chemical Peeling', 1, 30]]);
        expect((await csv(w, owner, '/report/offline/appoinment/performance', table(day(d)))).slice(1)).toEqual(asCells(perf));
      }

      // the year-to-date cards: a new year starts empty but for what the first day brought
      const cards = (await w.call('post', '/dashboard/total/pendapatan', owner, {})).body.pendapatan as { months: number; amounts: string }[];
      expect(cards).toHaveLength(newMonth);
      expect(cards.find((c) => c.months === newMonth)!.amounts).toBe(String(budiGrand));
      if (!newYear) expect(cards.find((c) => c.months === oldMonth)!.amounts).toBe(String(aniGrand - 30_000 + 125_000));
      const invoices = (await w.call('post', '/dashboard/total/invoice', owner, {})).body.invoice as { months: number; counts: number }[];
      expect(invoices.find((c) => c.months === newMonth)!.counts).toBe(1);
      if (!newYear) expect(invoices.find((c) => c.months === oldMonth)!.counts).toBe(2);
      expect((await w.call('post', '/dashboard/total/products', owner, {})).body.items).toEqual([{ id_menu: shop.menuId, nama_menus: 'Sunscreen SPF 50', counts: newYear ? '1' : '3' }]);
      expect((await w.call('post', '/dashboard/total/services', owner, {})).body.items).toEqual([{ id_services: service.id, services_name: 'Chemical Peeling', counts: newYear ? 1 : 2 }]);
    });
  });
});
