import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

const promo = (extra: Record<string, unknown> = {}) => ({
  type: 'POTONGAN',
  value: 25000,
  quota: 1000,
  start_datetime: '20/10/2025 00:00',
  expired_datetime: '20/12/2099 23:00',
  display_codes: 'ULTAH5TH',
  title: 'Dikon Ulang Tahun!',
  description: 'Diskon ulang tahun colederma spesial.',
  ...extra,
});

describe('promotions', () => {
  let id: number;
  it('creates with dd/mm/yyyy HH:mm in and yyyy-mm-dd HH:mm:ss out (Asia/Jakarta)', async () => {
    const res = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo());
    expect(res.status).toBe(200);
    expect(res.body.promotions).toMatchObject({
      type: 'POTONGAN',
      value: 25000,
      quota: 1000,
      id_menu: 0,
      start_datetime: '2025-10-20 00:00:00',
      expired_datetime: '2099-12-20 23:00:00',
      display_codes: 'ULTAH5TH',
      title: 'Dikon Ulang Tahun!',
      img_promotions: '',
    });
    id = res.body.promotions.id;
    const row = await t.app.db.promotion.findUniqueOrThrow({ where: { id } });
    expect(row.start_datetime.toISOString()).toBe('2025-10-19T17:00:00.000Z');
  });

  it('keeps codes unique case-insensitively, and frees a deleted code', async () => {
    const dup = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'ultah5th' }));
    expect(dup.status).toBe(409);
    const other = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'HEMAT10', type: 'persen', value: 10 }));
    expect(other.body.promotions).toMatchObject({ type: 'PERSEN', value: 10 });
    expect((await t.http.delete(`/promotions/${other.body.promotions.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    const reuse = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'hemat10' }));
    expect(reuse.status).toBe(200);
    const parallel = await Promise.all([1, 2, 3].map(() => t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'RACE1' }))));
    expect(parallel.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('validates type, percentage, window, product and access', async () => {
    const bad = async (extra: Record<string, unknown>) => (await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: `X${Math.random().toString(36).slice(2, 8)}`, ...extra }))).status;
    expect(await bad({ type: 'GRATIS' })).toBe(400);
    expect(await bad({ type: 'PERSEN', value: 150 })).toBe(400);
    expect(await bad({ start_datetime: '20/12/2023 00:00', expired_datetime: '20/10/2023 00:00' })).toBe(400);
    expect(await bad({ start_datetime: '31/02/2023 00:00' })).toBe(400);
    expect(await bad({ id_menu: 999999 })).toBe(400);
    expect(await bad({ value: -5 })).toBe(400);
    expect((await t.http.post('/promotions/create').set(t.auth(customer)).send(promo({ display_codes: 'CUST' }))).status).toBe(403);
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Serum', harga: 100000 } });
    const forMenu = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'SERUM5', id_menu: menu.id }));
    expect(forMenu.body.promotions.id_menu).toBe(menu.id);
  });

  it('updates, refusing a quota below what is already reserved or used', async () => {
    const upd = await t.http.put(`/promotions/${id}/update`).set(t.auth(admin)).send(promo({ title: 'Diskon Ulang Tahun', quota: 50 }));
    expect(upd.status).toBe(200);
    expect(upd.body.promotions).toMatchObject({ title: 'Diskon Ulang Tahun', quota: 50 });
    await t.app.db.promotion.update({ where: { id }, data: { quota_reserved: 5, quota_used: 10 } });
    expect((await t.http.put(`/promotions/${id}/update`).set(t.auth(admin)).send({ quota: 14 })).status).toBe(409);
    expect((await t.http.put(`/promotions/${id}/update`).set(t.auth(admin)).send({ quota: 15 })).status).toBe(200);
    expect((await t.http.put(`/promotions/${id}/update`).set(t.auth(admin)).send({ expired_datetime: '01/01/2020 00:00' })).status).toBe(400);
  });

  it('accepts an update re-sending a deleted product the promotion already has, refuses pointing at it anew', async () => {
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Toner Lama', harga: 50000 } });
    const created = await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'TONER5', id_menu: menu.id }));
    expect(created.status).toBe(200);
    expect((await t.http.delete(`/menus/${menu.id}/delete`).set(t.auth(admin))).status).toBe(200);
    const upd = await t.http.put(`/promotions/${created.body.promotions.id}/update`).set(t.auth(admin)).send(promo({ display_codes: 'TONER5', id_menu: menu.id, title: 'Toner' }));
    expect({ status: upd.status, body: upd.body.promotions && { title: upd.body.promotions.title, id_menu: upd.body.promotions.id_menu } }).toEqual({
      status: 200,
      body: { title: 'Toner', id_menu: menu.id },
    });
    expect((await t.http.put(`/promotions/${id}/update`).set(t.auth(admin)).send({ id_menu: menu.id })).status).toBe(400);
    expect((await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'TONER6', id_menu: menu.id }))).status).toBe(400);
  });

  it('uploads a banner', async () => {
    const up = await t.http.post(`/promotions/${id}/uploads`).set(t.auth(admin)).attach('picture', PNG_1PX, 'banner.png');
    expect(up.status).toBe(200);
    expect(up.body.promotions.img_promotions).toMatch(/^\w+\.png$/);
    expect(up.body.promotions.img_promotions_path).toBe(`http://api.test/uploads/promotions/${up.body.promotions.img_promotions}`);
    expect((await t.http.post(`/promotions/${id}/uploads`).set(t.auth(admin)).attach('picture', Buffer.from('%PDF-1.4\n%fake pdf\n'), 'x.gif')).status).toBe(415);
    const list = await t.http.post('/promotions/search').send({ display_codes: 'ultah5th' });
    expect(list.body.promotions).toHaveLength(1);
    expect(list.body.promotions[0].img_promotions).toBe(up.body.promotions.img_promotions_path);
  });

  it('shows customers running and upcoming promotions only; staff see all; table ordering', async () => {
    await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'LAMA2020', start_datetime: '01/01/2020 00:00', expired_datetime: '31/01/2020 23:59' }));
    const pub = await t.http.post('/promotions/explore?page=1&length=50').send({});
    expect(pub.body.data.map((p: any) => p.display_codes)).not.toContain('LAMA2020');
    const staff = await t.http.post('/promotions/explore?page=1&length=50').set(t.auth(admin)).send({});
    expect(staff.body.data.map((p: any) => p.display_codes)).toContain('LAMA2020');
    const byTitle = await t.http.post('/promotions/search').send({ title: 'ulang tahun' });
    expect(byTitle.body.promotions.length).toBeGreaterThan(0);

    const tbl = await t.http.post('/promotions/table').set(t.auth(admin)).send({ draw: 1, order: [{ column: 7, dir: 'asc' }] });
    const codes = tbl.body.data.map((r: unknown[]) => r[7]);
    expect(codes).toEqual([...codes].sort());
    expect(tbl.body.data[0]).toHaveLength(11);
    for (const row of tbl.body.data) {
      const one = (await t.http.get(`/promotions/${row[0]}`).set(t.auth(admin))).body.promotions;
      expect([row[5], row[6]]).toEqual([one.start_datetime, one.expired_datetime]);
    }
  });
});

describe('promotions of a deleted product', () => {
  it('are not shown to customers and visitors (they can never be used); staff still see them', async () => {
    const menu = await t.app.db.menu.create({ data: { nama_menus: 'Serum Hapus', harga: 80000 } });
    const live = await t.app.db.menu.create({ data: { nama_menus: 'Serum Ada', harga: 80000 } });
    const gone = (await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'HAPUS10', id_menu: menu.id }))).body.promotions.id;
    const kept = (await t.http.post('/promotions/create').set(t.auth(admin)).send(promo({ display_codes: 'ADA10', id_menu: live.id }))).body.promotions.id;
    expect((await t.http.delete(`/menus/${menu.id}/delete`).set(t.auth(admin))).status).toBe(200);
    const seen = async (who: TestUser | undefined) => {
      const auth = who ? t.auth(who) : {};
      const mine = (ids: number[]) => ids.filter((i) => i === gone || i === kept);
      return {
        explore: mine((await t.http.post('/promotions/explore?page=1&length=100').set(auth).send({})).body.data.map((p: any) => p.id)),
        search: mine((await t.http.post('/promotions/search').set(auth).send({})).body.promotions.map((p: any) => p.id)),
        table: mine((await t.http.post('/promotions/table').set(auth).send({ length: 100 })).body.data.map((r: unknown[]) => r[0] as number)),
        get: (await t.http.get(`/promotions/${gone}`).set(auth)).status,
      };
    };
    expect(await seen(undefined)).toEqual({ explore: [kept], search: [kept], table: [kept], get: 404 });
    expect(await seen(customer)).toEqual({ explore: [kept], search: [kept], table: [kept], get: 404 });
    const staff = await seen(admin);
    expect({ ...staff, explore: staff.explore.sort(), search: staff.search.sort(), table: staff.table.sort() }).toEqual({
      explore: [gone, kept].sort(),
      search: [gone, kept].sort(),
      table: [gone, kept].sort(),
      get: 200,
    });
  });
});

describe('static_contents', () => {
  it('creates, filters by type, updates and deletes', async () => {
    const res = await t.http.post('/static_contents/create').set(t.auth(admin)).send({ type: 'about-us', contents: 'Colederma berdiri sejak 2018.' });
    expect(res.status).toBe(200);
    expect(res.body.static_contents).toMatchObject({ type: 'about-us', contents: 'Colederma berdiri sejak 2018.' });
    const id = res.body.static_contents.id;
    await t.http.post('/static_contents/create').set(t.auth(admin)).send({ type: 'booking-info', contents: 'Booking H-1.' });

    const ex = await t.http.post('/static_contents/explore?page=1&length=10').send({ type: 'booking-info' });
    expect(ex.body).toMatchObject({ totaldata: 1, data: [{ type: 'booking-info', contents: 'Booking H-1.' }] });
    const se = await t.http.post('/static_contents/search').send({ type: 'about-us' });
    expect(se.body.static_contents).toEqual([{ id, type: 'about-us', contents: 'Colederma berdiri sejak 2018.' }]);
    expect((await t.http.get(`/static_contents/${id}`)).body.static_contents.id).toBe(id);
    const tbl = await t.http.post('/static_contents/table').send({ order: [{ column: 1, dir: 'desc' }] });
    expect(tbl.body.data.map((r: unknown[]) => r[1])).toEqual(['booking-info', 'about-us']);

    const upd = await t.http.put(`/static_contents/${id}/update`).set(t.auth(admin)).send({ contents: 'Baru' });
    expect(upd.body.static_contents).toMatchObject({ id, type: 'about-us', contents: 'Baru' });
    expect((await t.http.put(`/static_contents/${id}/update`).set(t.auth(customer)).send({ contents: 'x' })).status).toBe(403);
    expect((await t.http.post('/static_contents/create').set(t.auth(admin)).send({ type: '', contents: 'x' })).status).toBe(400);
    expect((await t.http.delete(`/static_contents/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/static_contents/${id}`)).status).toBe(404);
  });
});
