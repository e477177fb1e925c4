import { pageClause, sqlRows } from '../../db/client.js';
import { isStaff } from '../../http/auth-user.js';
import type { ReadCacheSpec } from '../../http/resource.js';
import { escapeLike, likePattern } from '../../lib/text-search.js';

export interface MenuFilters {
  id_menu_categories_1?: number;
  id_menu_categories_2?: number;
  id_menu_categories_3?: number;
  id_menu_categories?: number[];
  is_resep_required?: number;
  is_featured?: number;
  nama_menus?: string;
}

/** A product's primary picture (its file name, or NULL), in the order of serializers' primaryImage. */
export const primaryImageSql = (menuId: string) =>
  `(SELECT i.menu_image FROM menu_images i WHERE i.id_menus = ${menuId} ORDER BY i.is_primary DESC, i.nomor_urut_tampil, i.id LIMIT 1)`;

/** What menuJSON reads: the product's columns and its primary picture. */
const MENU_COLUMNS = `m.id, m.nama_menus, m.brief, m.harga, m.pajak, m.is_resep_required, m.harga_promosi, m.mulai_harga_promosi,
  m.selesai_harga_promosi, m.is_featured, m.id_menu_categories_1, m.id_menu_categories_2, m.id_menu_categories_3,
  m.dosis, m.komposisi, m.aturan_pakai, m.nomor_registrasi, m.produsen, m.satuan, m.berat, ${primaryImageSql('m.id')} AS menu_image`;

/**
 * The row as menuJSON reads it (images as the include gives them), set in place: copying a pg row
 * minus a key (`{ a, ...rest }`) costs V8 more than the statement does.
 */
function menuRow(row: Record<string, unknown>) {
  row.images = row.menu_image == null ? [] : [{ menu_image: row.menu_image }];
  return row;
}

/**
 * menus/explore and menus/search (the shop's product list, the busiest public call) as plain SQL:
 * the same filters as the resource's `where` (menus.routes.ts), live products only, newest first,
 * with the primary picture. Two Prisma calls (count, findMany with images) cost ≈2 ms of Node CPU
 * per request; these statements a fraction of that (see sqlRows).
 */
export async function menuList(db: object, f: MenuFilters, page: { skip: number; take: number; count: boolean }) {
  const values: unknown[] = [];
  const p = (v: unknown) => `$${values.push(v)}`;
  let where = 'm.deleted_at IS NULL';
  for (const n of [1, 2, 3] as const) {
    const v = f[`id_menu_categories_${n}`];
    if (v !== undefined) where += v === 0 ? ` AND m.id_menu_categories_${n} IS NULL` : ` AND m.id_menu_categories_${n} = ${p(v)}`;
  }
  if (f.is_resep_required !== undefined) where += ` AND m.is_resep_required = ${p(f.is_resep_required)}`;
  if (f.is_featured !== undefined) where += ` AND m.is_featured = ${p(f.is_featured)}`;
  if (f.nama_menus) where += ` AND m.nama_menus ILIKE ${p(likePattern(f.nama_menus))}`;
  if (f.id_menu_categories?.length) {
    const ids = p(f.id_menu_categories);
    where += ` AND (m.id_menu_categories_1 = ANY(${ids}::int[]) OR m.id_menu_categories_2 = ANY(${ids}::int[]) OR m.id_menu_categories_3 = ANY(${ids}::int[]))`;
  }
  // kept prepared unless a pattern search decides the plan (see sqlRows)
  const prepared = !f.nama_menus;
  const [count, rows] = await Promise.all([
    page.count ? sqlRows<{ n: number }>(db, `SELECT count(*)::int AS n FROM menus m WHERE ${where}`, values, { prepared }) : Promise.resolve([{ n: 0 }]),
    sqlRows<Record<string, unknown>>(db, `SELECT ${MENU_COLUMNS} FROM menus m WHERE ${where} ORDER BY m.id DESC ${pageClause(page.skip, page.take)}`, values, {
      prepared,
    }),
  ]);
  return { total: count[0]?.n ?? 0, rows: rows.map(menuRow) };
}

type PromoWindow = { mulai_harga_promosi: Date | null; selesai_harga_promosi: Date | null };
/** when a product's shown price changes by itself: its promotion's start and end */
const promoTimes = (m: PromoWindow) => [m.mulai_harga_promosi, m.selesai_harga_promosi];

/**
 * The read cache (db/read-cache.ts) keeps the product lists' and product page's answers until a
 * table these statements read changes (each has the migration's change trigger), or until a
 * promotion in them starts or ends: the price shown depends on the time.
 */
export const MENU_READS: ReadCacheSpec = {
  tables: ['menus', 'menu_images'],
  changesAt: promoTimes,
};
/** The same for a store's shelf; staff also see hidden stores and may edit. */
export const STORE_MENU_READS: ReadCacheSpec = {
  tables: ['brandstore_menus', 'menus', 'menu_images', 'menu_categories', 'brandstore', 'stocks'],
  variant: (c) => (isStaff(c.user) ? 'staff' : ''),
  changesAt: (r: { menu: PromoWindow }) => promoTimes(r.menu),
};

/** The product page (menus/:id) by the same statement: a live product, or null. */
export async function menuById(db: object, id: number) {
  const [row] = await sqlRows<Record<string, unknown>>(db, `SELECT ${MENU_COLUMNS} FROM menus m WHERE m.id = $1 AND m.deleted_at IS NULL`, [id], { prepared: true });
  return row ? menuRow(row) : null;
}

export interface StoreMenuFilters {
  idmenu?: number;
  idbrandstore?: number;
  kategori?: string;
  id_menu_categories?: number[];
  groupname?: string;
  city?: string;
  nama?: string;
  is_resep_required?: number;
}

const timeOfDay = (t: string | null) => (t == null ? null : new Date(`1970-01-01T${t}Z`));

/**
 * brandstore_menus/explore and /search (a store's shelf, the app's product list per store) as
 * plain SQL, for the same reason as menuList: the same filters as storeMenuWhere, the `visible`
 * scope (live products in live stores; hidden stores for staff only), the order storeMenuOrder,
 * in rows storeMenuJSON reads. Case-insensitive `equals` is ILIKE of the escaped value, as
 * storeMenuWhere's equalsText sends it; substrings are literal (lib/text-search.ts).
 */
export async function storeMenuList(db: object, f: StoreMenuFilters, staff: boolean, page: { skip: number; take: number; count: boolean }) {
  const values: unknown[] = [];
  const p = (v: unknown) => `$${values.push(v)}`;
  let where = `m.deleted_at IS NULL AND b.deleted_at IS NULL${staff ? '' : ' AND b.is_show = 1'}`;
  if (f.idmenu !== undefined) where += ` AND bm.idmenu = ${p(f.idmenu)}`;
  if (f.idbrandstore !== undefined) where += ` AND bm.idbrandstore = ${p(f.idbrandstore)}`;
  if (f.kategori) {
    const k = p(escapeLike(f.kategori));
    where += ` AND EXISTS (SELECT 1 FROM menu_categories c WHERE c.id IN (m.id_menu_categories_1, m.id_menu_categories_2, m.id_menu_categories_3) AND c.deleted_at IS NULL AND c.menu_categories ILIKE ${k})`;
  }
  if (f.id_menu_categories?.length) {
    const ids = p(f.id_menu_categories);
    where += ` AND (m.id_menu_categories_1 = ANY(${ids}::int[]) OR m.id_menu_categories_2 = ANY(${ids}::int[]) OR m.id_menu_categories_3 = ANY(${ids}::int[]))`;
  }
  if (f.nama) where += ` AND m.nama_menus ILIKE ${p(likePattern(f.nama))}`;
  if (f.is_resep_required !== undefined) where += ` AND m.is_resep_required = ${p(f.is_resep_required)}`;
  if (f.groupname) where += ` AND b.groupname = ${p(f.groupname)}`;
  if (f.city) where += ` AND b.city ILIKE ${p(escapeLike(f.city))}`;
  const from = 'brandstore_menus bm JOIN menus m ON m.id = bm.idmenu JOIN brandstore b ON b.id = bm.idbrandstore';
  // kept prepared unless a pattern search decides the plan (see sqlRows)
  const prepared = !f.nama && !f.kategori && !f.city;
  const [count, rows] = await Promise.all([
    page.count ? sqlRows<{ n: number }>(db, `SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, values, { prepared }) : Promise.resolve([{ n: 0 }]),
    sqlRows<Record<string, any>>(
      db,
      `SELECT bm.id, bm.idmenu, bm.idbrandstore, bm.nourut_menu,
              m.nama_menus, m.brief, m.harga, m.pajak, m.is_resep_required, m.harga_promosi, m.mulai_harga_promosi, m.selesai_harga_promosi,
              ${primaryImageSql('m.id')} AS menu_image,
              c1.menu_categories AS category_1,
              b.nama, b.alamat, b.notelp, b.opentime::text AS opentime, b.closetime::text AS closetime, b.city, b.lat, b.lng, b.is_show, b.groupname,
              s.id AS stock_id, s.quantitytotal
       FROM ${from}
       LEFT JOIN menu_categories c1 ON c1.id = m.id_menu_categories_1 AND c1.deleted_at IS NULL
       LEFT JOIN stocks s ON s.idbrandstoremenus = bm.id
       WHERE ${where}
       ORDER BY bm.idbrandstore, bm.nourut_menu, bm.id ${pageClause(page.skip, page.take)}`,
      values,
      { prepared },
    ),
  ]);
  return {
    total: count[0]?.n ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      idmenu: r.idmenu,
      idbrandstore: r.idbrandstore,
      nourut_menu: r.nourut_menu,
      menu: {
        id: r.idmenu,
        nama_menus: r.nama_menus,
        brief: r.brief,
        harga: r.harga,
        pajak: r.pajak,
        is_resep_required: r.is_resep_required,
        harga_promosi: r.harga_promosi,
        mulai_harga_promosi: r.mulai_harga_promosi,
        selesai_harga_promosi: r.selesai_harga_promosi,
        images: r.menu_image == null ? [] : [{ menu_image: r.menu_image }],
        category1: r.category_1 == null ? null : { menu_categories: r.category_1, deleted_at: null },
      },
      brandstore: {
        id: r.idbrandstore,
        nama: r.nama,
        alamat: r.alamat,
        notelp: r.notelp,
        opentime: timeOfDay(r.opentime),
        closetime: timeOfDay(r.closetime),
        city: r.city,
        lat: r.lat,
        lng: r.lng,
        is_show: r.is_show,
        groupname: r.groupname,
      },
      stock: r.stock_id == null ? null : { id: r.stock_id, quantitytotal: r.quantitytotal },
    })),
  };
}
