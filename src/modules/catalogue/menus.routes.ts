import { z } from 'zod';
import { replaceStoredFile } from '../../lib/replace-file.js';
import { isStaff, STAFF } from '../../http/auth-user.js';
import { badRequest, notFound, unprocessable } from '../../http/errors.js';
import { resourceRoutes, type Caller } from '../../http/resource.js';
import { MENU_READS, menuById, menuList } from './menus.service.js';
import { route, type RouteDef } from '../../http/route.js';
import { clinicDay, formatDateTime } from '../../lib/dates.js';
import { emit } from '../../lib/events.js';
import * as s from '../../lib/schemas.js';
import * as shape from '../../http/response.js';
import {
  categoryJSON,
  categoryName,
  categorySchema,
  menuBriefJSON,
  menuImageDetailSchema,
  menuImageJSON,
  menuImageSchema,
  menuImageUploadSchema,
  menuImageUrl,
  menuInclude,
  menuJSON,
  menuSchema,
} from './serializers.js';
import { containsText } from '../../lib/text-search.js';
import type { Tx } from '../../db/client.js';

// ---------------------------------------------------------------- menu_categories

const categoryBody = z.object({
  menu_categories: s.requiredText(200),
  codes: s.text(100).optional(),
  color: z.union([z.literal(''), z.string().trim().regex(/^#[0-9a-fA-F]{3,8}$/, 'expected a colour like #000AAF')]).optional(),
});

const categoryRoutes = resourceRoutes({
  name: 'menu_categories',
  model: (db) => db.menuCategory,
  access: { read: 'public', write: STAFF },
  softDelete: true,
  filters: z.object({ menu_categories: s.text(200).optional(), codes: s.text(100).optional() }),
  where: (f) => ({
    menu_categories: f.menu_categories ? containsText(f.menu_categories) : undefined,
    codes: f.codes || undefined,
  }),
  searchFields: ['menu_categories', 'codes', 'color'],
  defaultOrder: { id: 'asc' },
  toJSON: (r, c) => categoryJSON(c.app, r),
  schema: categorySchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'menu_categories', value: (r) => r.menu_categories, orderBy: (d) => ({ menu_categories: d }) },
    { name: 'codes', value: (r) => r.codes, orderBy: (d) => ({ codes: d }) },
    { name: 'color', value: (r) => r.color, orderBy: (d) => ({ color: d }) },
    { name: 'images', value: (r) => r.images, orderBy: (d) => ({ images: d }) },
    { name: 'img_path', value: (r, c) => c.app.storage.publicUrl('menu_categories', r.images) },
  ],
  create: { body: categoryBody, run: async (b, _c, tx) => (await tx.menuCategory.create({ data: b })).id },
  update: { body: categoryBody.partial(), run: async (id, b, _c, tx) => void (await tx.menuCategory.update({ where: { id }, data: b })) },
  // Soft delete: products (and through them orders) keep their category reference.
});

const categoryUpload = route({
  method: 'post',
  path: '/menu_categories/:id/uploads',
  access: STAFF,
  tag: 'menu_categories',
  summary: 'Upload the picture of a category (multipart field "picture")',
  upload: { field: 'picture', accept: 'image' },
  response: shape.one('images', z.object({ id: shape.int, image_upload: z.literal(true), images: shape.str, img_path: shape.str })),
  handler: async ({ app, params, file, auditChange }) => {
    const missing = () => notFound(`menu_categories ${params.id} not found`);
    if (!(await app.db.menuCategory.findFirst({ where: { id: params.id, deleted_at: null }, select: { id: true } }))) throw missing();
    // the replaced picture is read under the row lock (see replaceStoredFile)
    const { name } = await replaceStoredFile(app, 'public', 'menu_categories', file!, async (tx, name) => {
      const [row] = await tx.$queryRaw<{ images: string }[]>`SELECT images FROM menu_categories WHERE id = ${params.id} AND deleted_at IS NULL FOR UPDATE`;
      if (!row) throw missing();
      await tx.menuCategory.update({ where: { id: params.id }, data: { images: name } });
      await auditChange(tx);
      return { old: row.images, result: undefined };
    });
    return { images: { id: params.id, image_upload: true, images: name, img_path: app.storage.publicUrl('menu_categories', name) } };
  },
});

// ---------------------------------------------------------------- menus

/** Prices live in 32-bit integer columns (whole rupiah): bounded so no value reaches the database unchecked. */
const price = s.moneyUpTo(1_000_000_000);

/** The document's 0 means "no category"; stored as NULL. */
const categoryRef = s.optionalRef.transform((v) => (v === 0 ? null : v));

const menuBase = z.object({
  nama_menus: s.requiredText(300),
  brief: s.longText.optional(),
  harga: price,
  pajak: price.optional(),
  is_resep_required: s.flag.optional(),
  is_featured: s.flag.optional(),
  harga_promosi: price.optional(),
  mulai_harga_promosi: z.union([s.dateTime, z.null(), z.literal('').transform(() => null)]).optional(),
  selesai_harga_promosi: z.union([s.dateTime, z.null(), z.literal('').transform(() => null)]).optional(),
  id_menu_categories_1: categoryRef.optional(),
  id_menu_categories_2: categoryRef.optional(),
  id_menu_categories_3: categoryRef.optional(),
  dosis: s.text(100).optional(),
  komposisi: s.longText.optional(),
  aturan_pakai: s.longText.optional(),
  nomor_registrasi: s.text(100).optional(),
  produsen: s.text(200).optional(),
  satuan: s.text(50).optional(),
  berat: s.count.optional(),
});

type MenuInput = Partial<z.infer<typeof menuBase>>;

/** Cross-field rules, checked against the row as it will be after the change. */
async function checkMenu(tx: Tx, b: MenuInput, existing?: Record<string, any>) {
  const v: Record<string, any> = { ...existing, ...b };
  if (v.harga_promosi && v.harga_promosi >= v.harga) throw badRequest('Invalid input', [{ field: 'harga_promosi', message: 'must be lower than harga' }]);
  if (v.mulai_harga_promosi && v.selesai_harga_promosi && v.selesai_harga_promosi <= v.mulai_harga_promosi) {
    throw badRequest('Invalid input', [{ field: 'selesai_harga_promosi', message: 'must be after mulai_harga_promosi' }]);
  }
  // A slot re-sent with the category it already holds is no change (the full update form sends every
  // field back): accepted even if that category was deleted since; only a newly chosen one must be live.
  const slots = ['id_menu_categories_1', 'id_menu_categories_2', 'id_menu_categories_3'] as const;
  const ids = slots.filter((k) => b[k] && b[k] !== existing?.[k]).map((k) => b[k] as number);
  if (ids.length) {
    const found = await tx.menuCategory.count({ where: { id: { in: ids }, deleted_at: null } });
    if (found !== new Set(ids).size) throw badRequest('Invalid input', [{ field: 'id_menu_categories', message: 'unknown category' }]);
  }
}

const menuFilters = z.object({
  id_menu_categories_1: s.optionalRef.optional(),
  id_menu_categories_2: s.optionalRef.optional(),
  id_menu_categories_3: s.optionalRef.optional(),
  id_menu_categories: s.idList.optional(),
  is_resep_required: s.flag.optional(),
  is_featured: s.flag.optional(),
  nama_menus: s.text(300).optional(),
});

const menuRoutes = resourceRoutes({
  name: 'menus',
  model: (db) => db.menu,
  access: { read: 'public', write: STAFF },
  softDelete: true,
  filters: menuFilters,
  where: (f: z.infer<typeof menuFilters>) => ({
    id_menu_categories_1: s.refFilter(f.id_menu_categories_1),
    id_menu_categories_2: s.refFilter(f.id_menu_categories_2),
    id_menu_categories_3: s.refFilter(f.id_menu_categories_3),
    is_resep_required: f.is_resep_required,
    is_featured: f.is_featured,
    nama_menus: f.nama_menus ? containsText(f.nama_menus) : undefined,
    // a product matches when any of its three category slots is in the list
    ...(f.id_menu_categories?.length
      ? {
          OR: [
            { id_menu_categories_1: { in: f.id_menu_categories } },
            { id_menu_categories_2: { in: f.id_menu_categories } },
            { id_menu_categories_3: { in: f.id_menu_categories } },
          ],
        }
      : {}),
  }),
  include: menuInclude,
  // explore, search and the product page: the same filters in plain SQL (menus.service.ts)
  list: (f, c, page) => menuList(c.app.db, f, page),
  get: (id, c) => menuById(c.app.db, id),
  readCache: MENU_READS,
  searchFields: ['nama_menus', 'brief', 'produsen', 'nomor_registrasi'],
  toJSON: (r, c) => menuJSON(c.app, r),
  schema: menuSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'nama_menus', value: (r) => r.nama_menus, orderBy: (d) => ({ nama_menus: d }) },
    { name: 'brief', value: (r) => r.brief, orderBy: (d) => ({ brief: d }) },
    { name: 'harga', value: (r) => r.harga, orderBy: (d) => ({ harga: d }) },
    { name: 'pajak', value: (r) => r.pajak, orderBy: (d) => ({ pajak: d }) },
    { name: 'is_resep_required', value: (r) => r.is_resep_required, orderBy: (d) => ({ is_resep_required: d }) },
    { name: 'images', value: (r, c) => menuImageUrl(c.app, r) },
    { name: 'harga_promosi', value: (r) => r.harga_promosi, orderBy: (d) => ({ harga_promosi: d }) },
    { name: 'mulai_harga_promosi', value: (r) => formatDateTime(r.mulai_harga_promosi), orderBy: (d) => ({ mulai_harga_promosi: d }) },
    { name: 'selesai_harga_promosi', value: (r) => formatDateTime(r.selesai_harga_promosi), orderBy: (d) => ({ selesai_harga_promosi: d }) },
    { name: 'is_featured', value: (r) => r.is_featured, orderBy: (d) => ({ is_featured: d }) },
    { name: 'menu_categories_1', value: (r) => categoryName(r.category1), orderBy: (d) => ({ category1: { menu_categories: d } }) },
    { name: 'menu_categories_2', value: (r) => categoryName(r.category2), orderBy: (d) => ({ category2: { menu_categories: d } }) },
    { name: 'menu_categories_3', value: (r) => categoryName(r.category3), orderBy: (d) => ({ category3: { menu_categories: d } }) },
    { name: 'dosis', value: (r) => r.dosis, orderBy: (d) => ({ dosis: d }) },
    { name: 'komposisi', value: (r) => r.komposisi },
    { name: 'aturan_pakai', value: (r) => r.aturan_pakai },
    { name: 'nomor_registrasi', value: (r) => r.nomor_registrasi, orderBy: (d) => ({ nomor_registrasi: d }) },
    { name: 'produsen', value: (r) => r.produsen, orderBy: (d) => ({ produsen: d }) },
    { name: 'satuan', value: (r) => r.satuan, orderBy: (d) => ({ satuan: d }) },
    { name: 'berat', value: (r) => r.berat, orderBy: (d) => ({ berat: d }) },
  ],
  create: {
    body: menuBase,
    run: async (b, _c, tx) => {
      await checkMenu(tx, b);
      return (await tx.menu.create({ data: b })).id;
    },
  },
  update: {
    body: menuBase.partial(),
    run: async (id, b, _c, tx) => {
      // Checked against the product as it is now, locked: another edit committed meanwhile is not
      // merged into an invalid whole (its harga_promosi with this edit's lower harga, a window's end
      // before its new start), as promotions/:id/update does. The lock the update itself takes (NO KEY):
      // cart lines and store products referring to the product meanwhile need not wait.
      await tx.$queryRaw`SELECT id FROM menus WHERE id = ${id} FOR NO KEY UPDATE`;
      await checkMenu(tx, b, await tx.menu.findUniqueOrThrow({ where: { id } }));
      await tx.menu.update({ where: { id }, data: b });
    },
  },
  // Soft delete (default): orders, carts, prescriptions and promotions keep pointing at the product.
});

const prescriptionRequest = route({
  method: 'post',
  path: '/menus/prescriptions/requests',
  access: 'authenticated',
  tag: 'menus',
  summary: 'A customer asks the clinic for a prescription for a prescription-only product (once per product and day)',
  body: z.object({ id_menu: s.id }),
  response: z.object({ prescriptions_requests: z.literal(true) }),
  handler: async ({ app, user, body, auditChange }) => {
    const menu = await app.db.menu.findFirst({ where: { id: body.id_menu, deleted_at: null } });
    if (!menu) throw notFound(`menus ${body.id_menu} not found`);
    if (!menu.is_resep_required) throw unprocessable('This product does not need a prescription');
    await app.db.$transaction(async (tx) => {
      // The unique (user, product, day) makes a repeat the same day a no-op: no second notification.
      const [created] = await tx.prescriptionRequest.createManyAndReturn({
        data: [{ id_users: user!.id, id_menu: menu.id, request_date: clinicDay(app.now()) }],
        skipDuplicates: true,
      });
      if (created) await emit(app, 'prescription.requested', { requestId: created.id, userId: user!.id, menuId: menu.id }, tx);
      await auditChange(tx);
    });
    return { prescriptions_requests: true };
  },
});

// ---------------------------------------------------------------- menu_images

const imageFields = z.object({
  id_menus: s.id,
  is_primary: s.flag.optional(),
  nomor_urut_tampil: s.count.optional(),
});

async function activeMenu(tx: Tx, id: number) {
  const m = await tx.menu.findFirst({ where: { id, deleted_at: null } });
  if (!m) throw badRequest('Invalid input', [{ field: 'id_menus', message: `unknown product ${id}` }]);
  return m;
}

/**
 * Only one primary image per product: a new primary clears the others in the same transaction,
 * under a lock on the product row so two concurrent uploads cannot both stay primary.
 */
async function lockMenu(tx: Tx, id: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM menus WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
  if (!rows.length) throw badRequest('Invalid input', [{ field: 'id_menus', message: `unknown product ${id}` }]);
}
async function clearPrimary(tx: Tx, id_menus: number, keep: number) {
  await tx.menuImage.updateMany({ where: { id_menus, is_primary: 1, id: { not: keep } }, data: { is_primary: 0 } });
}

const imageResponse = (c: Caller, row: any) => ({ menu_images: { ...menuImageJSON(c.app, row), menus: null, image_upload: true } });

const imageCreate = route({
  method: 'post',
  path: '/menu_images/create',
  access: STAFF,
  tag: 'menu_images',
  summary: 'Add a product picture (multipart: id_menus, picture, is_primary, nomor_urut_tampil)',
  upload: { field: 'picture', accept: 'image' },
  body: imageFields,
  response: shape.one('menu_images', menuImageUploadSchema),
  handler: async ({ app, user, body, file, auditChange }) => {
    await activeMenu(app.db, body.id_menus);
    const name = await app.storage.save('public', 'menus', file!);
    try {
      const row = await app.db.$transaction(async (tx) => {
        await lockMenu(tx, body.id_menus);
        // The first picture of a product becomes its primary one.
        const first = (await tx.menuImage.count({ where: { id_menus: body.id_menus } })) === 0;
        const img = await tx.menuImage.create({
          data: { id_menus: body.id_menus, menu_image: name, is_primary: body.is_primary ?? (first ? 1 : 0), nomor_urut_tampil: body.nomor_urut_tampil ?? 0 },
        });
        if (img.is_primary) await clearPrimary(tx, body.id_menus, img.id);
        await auditChange(tx, { menu_images: img });
        return img;
      });
      return imageResponse({ app, user }, row);
    } catch (err) {
      await app.storage.remove('public', 'menus', name);
      throw err;
    }
  },
});

const imageUpdate = route({
  method: ['put', 'post'],
  path: '/menu_images/:id/update',
  access: STAFF,
  tag: 'menu_images',
  summary: 'Change a product picture (multipart; picture optional)',
  upload: { field: 'picture', accept: 'image', required: false },
  body: imageFields.partial(),
  response: shape.one('menu_images', menuImageUploadSchema),
  handler: async ({ app, user, body, file, params, auditChange }) => {
    const name = file ? await app.storage.save('public', 'menus', file) : undefined;
    try {
      const { row, old } = await app.db.$transaction(async (tx) => {
        // read under the row lock: a concurrent change or delete of this picture waits, so the file
        // replaced here is the one the row holds (none is left unreferenced)
        const [existing] = await tx.$queryRaw<{ id_menus: number; menu_image: string }[]>`SELECT id_menus, menu_image FROM menu_images WHERE id = ${params.id} FOR UPDATE`;
        if (!existing) throw notFound(`menu_images ${params.id} not found`);
        await lockMenu(tx, body.id_menus ?? existing.id_menus);
        const img = await tx.menuImage.update({ where: { id: params.id }, data: { ...body, ...(name ? { menu_image: name } : {}) } });
        if (img.is_primary) await clearPrimary(tx, img.id_menus, img.id);
        await auditChange(tx);
        return { row: img, old: existing.menu_image };
      });
      if (name) await app.storage.remove('public', 'menus', old);
      return imageResponse({ app, user }, row);
    } catch (err) {
      if (name) await app.storage.remove('public', 'menus', name);
      throw err;
    }
  },
});

const imageRoutes = resourceRoutes({
  name: 'menu_images',
  model: (db) => db.menuImage,
  access: { read: 'public', write: STAFF },
  filters: z.object({ id_menus: s.id.optional(), is_primary: s.flag.optional() }),
  where: (f) => ({ id_menus: f.id_menus, is_primary: f.is_primary }),
  // Pictures of deleted products are hidden from everyone but staff.
  scope: (c) => (isStaff(c.user) ? undefined : { menu: { deleted_at: null } }),
  detailInclude: { menu: { include: menuInclude } },
  defaultOrder: [{ id_menus: 'asc' }, { is_primary: 'desc' }, { nomor_urut_tampil: 'asc' }, { id: 'asc' }],
  searchFields: ['menu_image'],
  toJSON: (r, c) => menuImageJSON(c.app, r),
  toDetail: (r, c) => {
    const { id, ...rest } = menuImageJSON(c.app, r);
    return { id, menus: menuBriefJSON(c.app, r.menu), ...rest };
  },
  schema: menuImageSchema,
  detailSchema: menuImageDetailSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_menus', value: (r) => r.id_menus, orderBy: (d) => ({ id_menus: d }) },
    { name: 'menu_image', value: (r) => r.menu_image, orderBy: (d) => ({ menu_image: d }) },
    { name: 'is_primary', value: (r) => r.is_primary, orderBy: (d) => ({ is_primary: d }) },
    { name: 'nomor_urut_tampil', value: (r) => r.nomor_urut_tampil, orderBy: (d) => ({ nomor_urut_tampil: d }) },
    { name: 'img_path', value: (r, c) => c.app.storage.publicUrl('menus', r.menu_image) },
  ],
  create: false,
  update: false,
  delete: {
    run: async (id, c, tx) => {
      // the file the row holds now, read under its lock (a concurrent replacement may have changed it)
      const [row] = await tx.$queryRaw<{ menu_image: string }[]>`SELECT menu_image FROM menu_images WHERE id = ${id} FOR UPDATE`;
      if (!row) throw notFound(`menu_images ${id} not found`);
      await tx.menuImage.delete({ where: { id } });
      // the file goes once the delete has committed (a rolled-back delete keeps the picture it shows)
      return () => c.app.storage.remove('public', 'menus', row.menu_image);
    },
  },
});

export const menuModuleRoutes: RouteDef[] = [...categoryRoutes, categoryUpload, ...menuRoutes, prescriptionRequest, imageCreate, imageUpdate, ...imageRoutes];
