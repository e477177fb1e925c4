import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { on } from '../../src/lib/events.js';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let doctor: TestUser;
const requested: { requestId: number; userId: number; menuId: number }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
  on('prescription.requested', async (_app, payload, tx) => {
    // Proves the event runs inside the recording transaction: the row is visible through tx.
    const row = await tx.prescriptionRequest.findUnique({ where: { id: payload.requestId } });
    if (row) requested.push(payload);
  });
});
afterAll(() => t.close());

const menuBody = (extra: Record<string, unknown> = {}) => ({
  nama_menus: 'SKINTIFIC Cream Vit C',
  brief: 'kulit kencang mulus terawat tak terlupakan',
  harga: 23000,
  pajak: 0,
  is_resep_required: 0,
  is_featured: 1,
  id_menu_categories_1: 0,
  id_menu_categories_2: 0,
  id_menu_categories_3: 0,
  dosis: '3mg',
  komposisi: '-',
  aturan_pakai: 'Malam sebelum tidur',
  nomor_registrasi: 'xxx-xxxxxxxxxx',
  produsen: 'PT xxxxxxxxxx',
  satuan: 'gram',
  berat: '380',
  ...extra,
});

async function category(name: string) {
  const res = await t.http.post('/menu_categories/create').set(t.auth(admin)).send({ menu_categories: name, codes: name.slice(0, 2).toUpperCase(), color: '#000AAF' });
  expect(res.status).toBe(200);
  return res.body.menu_categories.id as number;
}

describe('menu_categories', () => {
  it('creates, reads, updates, lists and soft-deletes with the documented shapes', async () => {
    const res = await t.http.post('/menu_categories/create').set(t.auth(admin)).send({ menu_categories: 'Vitamin Booster', codes: 'VB', color: '#000AAF' });
    expect(res.status).toBe(200);
    expect(res.body.menu_categories).toMatchObject({ menu_categories: 'Vitamin Booster', codes: 'VB', color: '#000AAF', images: '' });
    const id = res.body.menu_categories.id;

    const upd = await t.http.put(`/menu_categories/${id}/update`).set(t.auth(admin)).send({ menu_categories: 'Vitamin Booster 2' });
    expect(upd.body.menu_categories).toMatchObject({ id, menu_categories: 'Vitamin Booster 2', codes: 'VB' });

    const pub = await t.http.get(`/menu_categories/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.menu_categories).toHaveProperty('img_path');

    const ex = await t.http.post('/menu_categories/explore?page=1&length=10').send({});
    expect(ex.body).toMatchObject({ page: 1, totalpage: 1, length: 10, anchor: [{ page: 1 }] });
    expect(ex.body.data.map((c: any) => c.id)).toContain(id);
    const se = await t.http.post('/menu_categories/search').send({ menu_categories: 'booster 2' });
    expect(se.body.menu_categories.map((c: any) => c.id)).toEqual([id]);

    const del = await t.http.delete(`/menu_categories/${id}/delete`).set(t.auth(admin));
    expect(del.body).toEqual({ deleted: true });
    expect((await t.http.get(`/menu_categories/${id}`)).status).toBe(404);
    expect(await t.app.db.menuCategory.findUnique({ where: { id } })).toMatchObject({ id, deleted_at: expect.any(Date) });
  });

  it('refuses writes to anonymous (401) and customers (403), and bad input (400)', async () => {
    expect((await t.http.post('/menu_categories/create').send({ menu_categories: 'X' })).status).toBe(401);
    expect((await t.http.post('/menu_categories/create').set(t.auth(customer)).send({ menu_categories: 'X' })).status).toBe(403);
    const bad = await t.http.post('/menu_categories/create').set(t.auth(admin)).send({ menu_categories: '', color: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['menu_categories', 'color']));
  });

  it('uploads a picture, checking the real type and the size', async () => {
    const id = await category('Sunscreen');
    const up = await t.http.post(`/menu_categories/${id}/uploads`).set(t.auth(admin)).attach('picture', PNG_1PX, 'x.png');
    expect(up.status).toBe(200);
    expect(up.body.images).toMatchObject({ id, image_upload: true, img_path: expect.stringMatching(/^http:\/\/api\.test\/uploads\/menu_categories\/\w+\.png$/) });
    const served = await t.http.get(new URL(up.body.images.img_path).pathname);
    expect(served.status).toBe(200);

    const fake = await t.http.post(`/menu_categories/${id}/uploads`).set(t.auth(admin)).attach('picture', Buffer.from('<?php echo 1; ?>'), 'evil.png');
    expect(fake.status).toBe(415);
    const big = Buffer.concat([PNG_1PX, Buffer.alloc(t.app.config.UPLOAD_MAX_BYTES + 10)]);
    const tooBig = await t.http.post(`/menu_categories/${id}/uploads`).set(t.auth(admin)).attach('picture', big, 'big.png');
    expect(tooBig.status).toBe(413);
    expect((await t.http.post(`/menu_categories/${id}/uploads`).set(t.auth(customer)).attach('picture', PNG_1PX, 'x.png')).status).toBe(403);
  });
});

describe('menus', () => {
  let cSerum: number;
  let cAcne: number;
  let cVit: number;
  beforeAll(async () => {
    cSerum = await category('Serum');
    cAcne = await category('Acne');
    cVit = await category('Vitamin');
  });

  it('creates with the documented shape (0 = no category) and reads publicly', async () => {
    const res = await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ id_menu_categories_1: cSerum }));
    expect(res.status).toBe(200);
    expect(res.body.menus).toMatchObject({
      nama_menus: 'SKINTIFIC Cream Vit C',
      harga: 23000,
      harga_promosi: 0,
      mulai_harga_promosi: null,
      selesai_harga_promosi: null,
      id_menu_categories_1: cSerum,
      id_menu_categories_2: 0,
      id_menu_categories_3: 0,
      berat: 380,
      images: '',
      harga_aktif: 23000,
      display_harga: 'IDR 23.000',
    });
    const get = await t.http.get(`/menus/${res.body.menus.id}`);
    expect(get.status).toBe(200);
    // the product page (plain SQL, menuById) answers exactly what the create (through Prisma) did
    expect(get.body).toEqual(res.body);
    expect((await t.http.get('/menus/999999')).status).toBe(404);
    expect((await t.http.get('/menus/abc')).status).toBe(400);
  });

  it('validates input: unknown category, promotion price above the price, bad window', async () => {
    const r1 = await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ id_menu_categories_1: 99999 }));
    expect(r1.status).toBe(400);
    const r2 = await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ harga_promosi: 30000 }));
    expect(r2.status).toBe(400);
    const r3 = await t.http
      .post('/menus/create')
      .set(t.auth(admin))
      .send(menuBody({ harga_promosi: 1000, mulai_harga_promosi: '10/10/2026 10:00', selesai_harga_promosi: '09/10/2026 10:00' }));
    expect(r3.status).toBe(400);
    const r4 = await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ harga: 12.5 }));
    expect(r4.status).toBe(400);
    const r5 = await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ harga: 3_000_000_000 }));
    expect(r5.status).toBe(400);
    expect((await t.http.post('/menus/create').set(t.auth(customer)).send(menuBody())).status).toBe(403);
  });

  it('filters explore/search/table by category slots, the category list, flags and name', async () => {
    const mk = async (extra: Record<string, unknown>) => (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody(extra))).body.menus.id as number;
    const a = await mk({ nama_menus: 'Art Peel Serum', id_menu_categories_1: cSerum, is_featured: 1 });
    const b = await mk({ nama_menus: 'Acne Spot Gel', id_menu_categories_1: cAcne, id_menu_categories_2: cSerum, is_resep_required: 1, is_featured: 0 });
    const c = await mk({ nama_menus: 'Vitamin E Caps', id_menu_categories_3: cVit, is_featured: 0 });

    const anySlot = await t.http.post('/menus/search').send({ id_menu_categories: [cSerum] });
    expect(anySlot.body.menus.map((m: any) => m.id).sort()).toEqual(expect.arrayContaining([a, b]));
    expect(anySlot.body.menus.map((m: any) => m.id)).not.toContain(c);

    const slot2 = await t.http.post('/menus/search').send({ id_menu_categories_2: cSerum });
    expect(slot2.body.menus.map((m: any) => m.id)).toEqual([b]);
    const byName = await t.http.post('/menus/search').send({ nama_menus: 'art peel' });
    expect(byName.body.menus.map((m: any) => m.id)).toEqual([a]);
    const resep = await t.http.post('/menus/explore?page=1&length=10').send({ is_resep_required: 1 });
    expect(resep.body.data.map((m: any) => m.id)).toEqual([b]);
    const vit = await t.http.post('/menus/search').send({ id_menu_categories: [cVit, cAcne], is_featured: 0 });
    expect(vit.body.menus.map((m: any) => m.id).sort((x: number, y: number) => x - y)).toEqual([b, c]);

    const bad = await t.http.post('/menus/search').send({ is_featured: 'yes' });
    expect(bad.status).toBe(400);
  });

  it('pages explore and orders the DataTables table by its documented columns', async () => {
    const page = await t.http.post('/menus/explore?page=2&length=2').send({});
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 2, length: 2, displayed: 2 });
    expect(page.body.totaldata).toBeGreaterThanOrEqual(4);

    const tbl = await t.http
      .post('/menus/table')
      .set(t.auth(admin))
      .send({ draw: 3, start: 0, length: 10, search: { value: '' }, order: [{ column: 1, dir: 'asc' }] });
    expect(tbl.status).toBe(200);
    expect(tbl.body.draw).toBe(3);
    const names = tbl.body.data.map((row: unknown[]) => row[1]);
    expect(names).toEqual([...names].sort());
    expect(tbl.body.data[0]).toHaveLength(21);
    // the formatted cells (picture, promotion window) are what the product's own answer shows ('' for null)
    await t.app.db.menu.create({
      data: { nama_menus: 'Windowed Toner', harga: 90_000, harga_promosi: 70_000, mulai_harga_promosi: new Date('2026-01-31T17:00:00Z'), selesai_harga_promosi: new Date('2026-02-28T16:59:59Z') },
    });
    const windowed = await t.http.post('/menus/table').send({ draw: 4, search: { value: 'Windowed Toner' } });
    expect(windowed.body.data[0].slice(8, 10)).toEqual(['2026-02-01 00:00:00', '2026-02-28 23:59:59']);
    for (const row of [...tbl.body.data, ...windowed.body.data]) {
      const one = (await t.http.get(`/menus/${row[0]}`)).body.menus;
      expect([row[6], row[8], row[9]]).toEqual([one.images ?? '', one.mulai_harga_promosi ?? '', one.selesai_harga_promosi ?? '']);
    }
    const byCat = await t.http.post('/menus/table').send({ draw: 1, search: { value: 'Acne Spot' }, order: [{ column: 11, dir: 'asc' }] });
    expect(byCat.body.recordsFiltered).toBe(1);
    expect(byCat.body.data[0][11]).toBe('Acne');
    expect(byCat.body.data[0][12]).toBe('Serum');
  });

  it('shows a deleted category as absent: table columns and the product of a picture', async () => {
    const gone = await category('Kategori Lenyap');
    const kept = await category('Kategori Ada');
    const id = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Gel Lenyap', id_menu_categories_1: gone, id_menu_categories_2: kept, id_menu_categories_3: gone }))).body.menus.id;
    const img = (await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(id)).attach('picture', PNG_1PX, 'a.png')).body.menu_images.id;
    const shown = async () => ({
      table: (await t.http.post('/menus/table').set(t.auth(admin)).send({ search: { value: 'Gel Lenyap' } })).body.data[0].slice(11, 14),
      picture: (await t.http.get(`/menu_images/${img}`)).body.menu_images.menus.kategori,
    });
    expect(await shown()).toEqual({ table: ['Kategori Lenyap', 'Kategori Ada', 'Kategori Lenyap'], picture: 'Kategori Lenyap' });
    expect((await t.http.delete(`/menu_categories/${gone}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await shown()).toEqual({ table: ['', 'Kategori Ada', ''], picture: '' });
  });

  it('accepts an update re-sending a deleted category the product already has, refuses pointing at it anew', async () => {
    const old = await category('Kategori Lama');
    const id = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Krim Lama', id_menu_categories_1: old }))).body.menus.id;
    expect((await t.http.delete(`/menu_categories/${old}/delete`).set(t.auth(admin))).status).toBe(200);
    // the document's full update form sends every field back, the stored category included
    const upd = await t.http.put(`/menus/${id}/update`).set(t.auth(admin)).send(menuBody({ nama_menus: 'Krim Baru', id_menu_categories_1: old }));
    expect({ status: upd.status, body: upd.body.menus && { nama_menus: upd.body.menus.nama_menus, id_menu_categories_1: upd.body.menus.id_menu_categories_1 } }).toEqual({
      status: 200,
      body: { nama_menus: 'Krim Baru', id_menu_categories_1: old },
    });
    // a deleted category cannot be newly chosen: in another slot, or by another product
    expect((await t.http.put(`/menus/${id}/update`).set(t.auth(admin)).send({ id_menu_categories_2: old })).status).toBe(400);
    const other = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Krim Lain' }))).body.menus.id;
    expect((await t.http.put(`/menus/${other}/update`).set(t.auth(admin)).send({ id_menu_categories_1: old })).status).toBe(400);
    expect((await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ id_menu_categories_1: old }))).status).toBe(400);
  });

  it('applies the promotion price only inside its Asia/Jakarta window', async () => {
    const res = await t.http
      .post('/menus/create')
      .set(t.auth(admin))
      .send(menuBody({ nama_menus: 'Promo Toner', harga: 100000, harga_promosi: 75000, mulai_harga_promosi: '01/12/2026 00:00', selesai_harga_promosi: '01/12/2026 12:00' }));
    expect(res.status).toBe(200);
    const id = res.body.menus.id;
    expect(res.body.menus).toMatchObject({ mulai_harga_promosi: '2026-12-01 00:00:00', selesai_harga_promosi: '2026-12-01 12:00:00' });
    const at = async (iso: string) => {
      t.app.now = () => new Date(iso);
      return (await t.http.get(`/menus/${id}`)).body.menus;
    };
    try {
      // 00:00 WIB on 1 Dec = 17:00 UTC on 30 Nov
      expect(await at('2026-11-30T16:59:59Z')).toMatchObject({ harga_aktif: 100000, is_promo_aktif: 0 });
      expect(await at('2026-11-30T17:00:00Z')).toMatchObject({ harga_aktif: 75000, is_promo_aktif: 1, display_harga: 'IDR 75.000' });
      expect(await at('2026-12-01T04:59:59Z')).toMatchObject({ harga_aktif: 75000 });
      expect(await at('2026-12-01T05:00:00Z')).toMatchObject({ harga_aktif: 100000 });
    } finally {
      t.app.now = () => new Date();
    }
  });

  it('soft-deletes: hidden from reads, the row stays', async () => {
    const id = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'To delete' }))).body.menus.id;
    expect((await t.http.delete(`/menus/${id}/delete`).set(t.auth(customer))).status).toBe(403);
    expect((await t.http.delete(`/menus/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/menus/${id}`)).status).toBe(404);
    expect((await t.http.post('/menus/search').send({ nama_menus: 'To delete' })).body.menus).toEqual([]);
    expect(await t.app.db.menu.count({ where: { id } })).toBe(1);
  });

  it('records a prescription request once per user, product and day and emits the event', async () => {
    const rx = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Tretinoin 0.05%', is_resep_required: 1 }))).body.menus.id;
    const otc = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Sabun Wajah' }))).body.menus.id;
    expect((await t.http.post('/menus/prescriptions/requests').send({ id_menu: rx })).status).toBe(401);

    const results = await Promise.all([1, 2, 3].map(() => t.http.post('/menus/prescriptions/requests').set(t.auth(customer)).send({ id_menu: rx })));
    for (const r of results) expect(r.body).toEqual({ prescriptions_requests: true });
    expect(await t.app.db.prescriptionRequest.count({ where: { id_users: customer.id, id_menu: rx } })).toBe(1);
    expect(requested.filter((e) => e.userId === customer.id && e.menuId === rx)).toHaveLength(1);

    const other = await t.http.post('/menus/prescriptions/requests').set(t.auth(doctor)).send({ id_menu: rx });
    expect(other.status).toBe(200);
    expect(requested).toHaveLength(2);

    expect((await t.http.post('/menus/prescriptions/requests').set(t.auth(customer)).send({ id_menu: otc })).status).toBe(422);
    expect((await t.http.post('/menus/prescriptions/requests').set(t.auth(customer)).send({ id_menu: 999999 })).status).toBe(404);
    expect((await t.http.post('/menus/prescriptions/requests').set(t.auth(customer)).send({ id_menu: 'x' })).status).toBe(400);
  });
});

// pg_stat_activity shows the edit waiting for the other one's row lock (PostgreSQL only)
describe.runIf(process.env.TEST_DATABASE_URL)('two staff editing one product at once', () => {
  const editing = (id: number, first: Record<string, unknown>, second: Record<string, unknown>) =>
    whileHolding(
      t.app.db,
      (tx) => tx.menu.update({ where: { id }, data: first }),
      () => t.http.put(`/menus/${id}/update`).set(t.auth(admin)).send(second).then((r) => r),
    );

  it('the later edit is checked against the product as the first left it: no promotion price at or above the price', async () => {
    const id = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ harga: 23000 }))).body.menus.id;
    const res = await editing(id, { harga_promosi: 20000 }, { harga: 15000 });
    expect(res.status, res.text).toBe(400);
    expect(await t.app.db.menu.findUniqueOrThrow({ where: { id } })).toMatchObject({ harga: 23000, harga_promosi: 20000 });
  });

  it('no promotion window ending before it starts', async () => {
    const id = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ harga_promosi: 20000, mulai_harga_promosi: '01/01/2026 00:00' }))).body.menus.id;
    const res = await editing(id, { mulai_harga_promosi: new Date('2026-03-01T00:00:00+07:00') }, { selesai_harga_promosi: '01/02/2026 00:00' });
    expect(res.status, res.text).toBe(400);
    const row = await t.app.db.menu.findUniqueOrThrow({ where: { id } });
    expect(row.selesai_harga_promosi).toBeNull();
  });
});

describe('menu_images', () => {
  it('adds pictures (first is primary), reorders, switches the primary, and shows it as the product image', async () => {
    const menu = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Foto Produk' }))).body.menus.id;
    const first = await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(menu)).attach('picture', PNG_1PX, 'a.png');
    expect(first.status).toBe(200);
    expect(first.body.menu_images).toMatchObject({ menus: null, is_primary: 1, nomor_urut_tampil: 0, image_upload: true, img_path: expect.stringContaining('/uploads/menus/') });
    const second = await t.http
      .post('/menu_images/create')
      .set(t.auth(admin))
      .field('id_menus', String(menu))
      .field('nomor_urut_tampil', '2')
      .attach('picture', PNG_1PX, 'b.png');
    expect(second.body.menu_images).toMatchObject({ is_primary: 0, nomor_urut_tampil: 2 });

    let product = (await t.http.get(`/menus/${menu}`)).body.menus;
    expect(product.images).toBe(first.body.menu_images.img_path);

    const upd = await t.http.put(`/menu_images/${second.body.menu_images.id}/update`).set(t.auth(admin)).field('is_primary', '1');
    expect(upd.status).toBe(200);
    product = (await t.http.get(`/menus/${menu}`)).body.menus;
    expect(product.images).toBe(second.body.menu_images.img_path);
    expect(await t.app.db.menuImage.count({ where: { id_menus: menu, is_primary: 1 } })).toBe(1);

    const list = await t.http.post('/menu_images/search').send({ id_menus: menu });
    expect(list.body.menu_images.map((i: any) => i.id)).toEqual([second.body.menu_images.id, first.body.menu_images.id]);
    const detail = await t.http.get(`/menu_images/${first.body.menu_images.id}`);
    expect(detail.body.menu_images.menus).toMatchObject({ id: menu, nama_menus: 'Foto Produk' });
    const tbl = await t.http.post('/menu_images/table').send({ id_menus: menu, order: [{ column: 4, dir: 'desc' }] });
    expect(tbl.body.data.map((r: unknown[]) => r[4])).toEqual([2, 0]);

    const del = await t.http.delete(`/menu_images/${second.body.menu_images.id}/delete`).set(t.auth(admin));
    expect(del.body).toEqual({ deleted: true });
    product = (await t.http.get(`/menus/${menu}`)).body.menus;
    expect(product.images).toBe(first.body.menu_images.img_path);
  });

  it('keeps one primary picture under concurrent uploads', async () => {
    const menu = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Foto Paralel' }))).body.menus.id;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(menu)).field('is_primary', '1').attach('picture', PNG_1PX, 'p.png')),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await t.app.db.menuImage.count({ where: { id_menus: menu } })).toBe(4);
    expect(await t.app.db.menuImage.count({ where: { id_menus: menu, is_primary: 1 } })).toBe(1);
  });

  it('refuses a missing product, a non-image, a customer', async () => {
    const noMenu = await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', '999999').attach('picture', PNG_1PX, 'a.png');
    expect(noMenu.status).toBe(400);
    const menu = (await t.http.post('/menus/create').set(t.auth(admin)).send(menuBody({ nama_menus: 'Foto 2' }))).body.menus.id;
    const text = await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(menu)).attach('picture', Buffer.from('hello'), 'a.jpg');
    expect(text.status).toBe(415);
    const missing = await t.http.post('/menu_images/create').set(t.auth(admin)).field('id_menus', String(menu));
    expect(missing.status).toBe(400);
    expect((await t.http.post('/menu_images/create').set(t.auth(customer)).field('id_menus', String(menu)).attach('picture', PNG_1PX, 'a.png')).status).toBe(403);
  });
});
