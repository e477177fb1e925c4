import { sqlRows } from '../../db/client.js';

export interface MenuFilters {
  id_menu_categories_1?: number;
  id_menu_categories_2?: number;
  id_menu_categories_3?: number;
  id_menu_categories?: number[];
  is_resep_required?: number;
  is_featured?: number;
  nama_menus?: string;
}

/** `contains` exactly as Prisma sends it (`%value%`: Prisma does not escape the value's own % and _). */
export const likeContains = (v: string) => `%${v}%`;

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
  if (f.nama_menus) where += ` AND m.nama_menus ILIKE ${p(likeContains(f.nama_menus))}`;
  if (f.id_menu_categories?.length) {
    const ids = p(f.id_menu_categories);
    where += ` AND (m.id_menu_categories_1 = ANY(${ids}::int[]) OR m.id_menu_categories_2 = ANY(${ids}::int[]) OR m.id_menu_categories_3 = ANY(${ids}::int[]))`;
  }
  const filterValues = [...values];
  const [count, rows] = await Promise.all([
    page.count ? sqlRows<{ n: number }>(db, `SELECT count(*)::int AS n FROM menus m WHERE ${where}`, filterValues) : Promise.resolve([{ n: 0 }]),
    sqlRows<Record<string, unknown>>(
      db,
      `SELECT m.id, m.nama_menus, m.brief, m.harga, m.pajak, m.is_resep_required, m.harga_promosi, m.mulai_harga_promosi,
              m.selesai_harga_promosi, m.is_featured, m.id_menu_categories_1, m.id_menu_categories_2, m.id_menu_categories_3,
              m.dosis, m.komposisi, m.aturan_pakai, m.nomor_registrasi, m.produsen, m.satuan, m.berat,
              (SELECT i.menu_image FROM menu_images i WHERE i.id_menus = m.id
               ORDER BY i.is_primary DESC, i.nomor_urut_tampil, i.id LIMIT 1) AS menu_image
       FROM menus m WHERE ${where} ORDER BY m.id DESC OFFSET ${p(page.skip)} LIMIT ${p(page.take)}`,
      values,
    ),
  ]);
  return {
    total: count[0]?.n ?? 0,
    rows: rows.map(({ menu_image, ...m }) => ({ ...m, images: menu_image == null ? [] : [{ menu_image }] })),
  };
}
