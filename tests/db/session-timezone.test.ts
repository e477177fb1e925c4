// A PostgreSQL server (or database, or role) whose `timezone` setting is not UTC, as an Indonesian
// host often sets it (Asia/Jakarta). Prisma's pg adapter writes a timestamptz as UTC wall time
// without an offset and reads one by dropping the offset, so it is right only in a UTC session;
// the plain statements (sqlRows, reports, now()) read the real instant. The app's connections
// must work in UTC whatever the server's default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../../src/db/client.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

describe.skipIf(!process.env.TEST_DATABASE_URL)('a database whose sessions default to Asia/Jakarta', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    const serverUrl = process.env.TEST_DATABASE_URL!;
    const url = new URL(serverUrl);
    // every connection of this file's database starts in Asia/Jakarta, as with `timezone` in postgresql.conf
    url.searchParams.set('options', '-c TimeZone=Asia/Jakarta');
    process.env.TEST_DATABASE_URL = url.toString();
    try {
      t = await createTestApp();
    } finally {
      process.env.TEST_DATABASE_URL = serverUrl;
    }
    admin = await t.user(['ADMIN']);
  });
  afterAll(() => t?.close());

  it('stores the instants written through Prisma as they are, for the plain statements to read alike', async () => {
    const at = new Date('2027-03-01T10:00:00+07:00');
    const promo = await t.app.db.promotion.create({
      data: { title: 'tz', type: 'PERSEN', value: 5, quota: 1, display_codes: 'TZ', display_codes_key: 'TZ', start_datetime: at, expired_datetime: new Date(at.getTime() + 3_600_000) },
    });
    const [row] = await sqlRows<{ start_datetime: Date; utc: string }>(t.app.db, `SELECT start_datetime, (start_datetime AT TIME ZONE 'UTC')::text AS utc FROM promotions WHERE id = $1`, [promo.id]);
    expect(row!.utc).toBe('2027-03-01 03:00:00');
    expect(row!.start_datetime.toISOString()).toBe(at.toISOString());
  });

  it("shows a product's promotion window as entered on every read (the product page is a plain statement)", async () => {
    const created = await t.http
      .post('/menus/create')
      .set(t.auth(admin))
      .send({ nama_menus: 'Serum TZ', brief: 'x', harga: 20000, pajak: 0, is_resep_required: 0, harga_promosi: 15000, mulai_harga_promosi: '01/03/2027 10:00', selesai_harga_promosi: '31/03/2027 22:00' });
    expect(created.status).toBe(200);
    const page = await t.http.get(`/menus/${created.body.menus.id}`);
    expect(page.status).toBe(200);
    expect(page.body.menus).toMatchObject({ mulai_harga_promosi: '2027-03-01 10:00:00', selesai_harga_promosi: '2027-03-31 22:00:00' });
    // inside the window on the app's clock: the promotion price
    t.app.now = () => new Date('2027-03-01T10:30:00+07:00');
    try {
      expect((await t.http.get(`/menus/${created.body.menus.id}`)).body.menus.harga_aktif).toBe(15000);
    } finally {
      t.app.now = () => new Date();
    }
  });

  it('cuts report days at midnight Asia/Jakarta for orders paid through the app', async () => {
    const member = await t.user(['CUSTOMER']);
    const patient = await t.app.db.patient.create({ data: { nama_lengkap_pasien: 'Sari', id_users: member.id } });
    // paid at 00:30 WIB on 2 March 2027 (17:30 UTC on 1 March)
    await t.app.db.order.create({
      data: {
        order_type: 'E', order_code: 'E-TZ-001', status: 'DONE', cart_open: null, id_member: member.id, id_patients: patient.id, nama_pemesan: 'Sari',
        is_paid: 1, paid_date: new Date('2027-03-02T00:30:00+07:00'), total_price: 50000, grand_totals: 50000,
      },
    });
    const day = async (d: string) => (await t.http.post('/report/penjualan/stats').set(t.auth(admin)).send({ tgl_awal: d, tgl_akhir: d })).body.total_sales;
    expect(await day('01/03/2027')).toBe(0);
    expect(await day('02/03/2027')).toBe(1);
  });
});
