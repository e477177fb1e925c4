import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.js';
import { isStaff, STAFF } from '../../http/auth-user.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { cachedRead, emptyFiltersAbsent, resourceRoutes, type Caller } from '../../http/resource.js';
import { STORE_MENU_READS, storeMenuList } from './menus.service.js';
import { route, type RouteDef } from '../../http/route.js';
import { formatTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import * as shape from '../../http/response.js';
import {
  storeJSON,
  storeMenuCopyJSON,
  storeMenuCopySchema,
  storeMenuDetail,
  storeMenuDetailSchema,
  storeMenuInclude,
  storeMenuJSON,
  storeMenuSchema,
  storeSchema,
  type StoreMenuRow,
} from './serializers.js';
import { adjustStock } from './stock.service.js';
import { containsText, equalsText, likePattern } from '../../lib/text-search.js';
import type { Db, Tx } from '../../db/client.js';

type Where = Record<string, unknown>;

// ---------------------------------------------------------------- brandstore

const storeBody = z.object({
  nama: s.requiredText(200),
  alamat: s.text(2000).optional(),
  notelp: s.text(30).optional(),
  opentime: s.time.optional(),
  closetime: s.time.optional(),
  city: s.text(100).optional(),
  lat: s.number((n) => n.min(-90).max(90)).optional(),
  lng: s.number((n) => n.min(-180).max(180)).optional(),
  is_show: s.flag.optional(),
  groupname: s.text(50).optional(),
});

const storeFilters = z.object({
  city: s.text(100).optional(),
  is_show: s.flag.optional(),
  groupname: s.text(50).optional(),
  nama: s.text(200).optional(),
});
type StoreFilters = z.infer<typeof storeFilters>;

/** Hidden stores (is_show 0) exist for staff only. */
const storeScope = (c: Caller) => (isStaff(c.user) ? undefined : { is_show: 1 });
const storeWhere = (f: StoreFilters) => ({
  city: f.city ? equalsText(f.city) : undefined,
  is_show: f.is_show,
  groupname: f.groupname || undefined,
  nama: f.nama ? containsText(f.nama) : undefined,
});

const baseStoreRoutes = resourceRoutes({
  name: 'brandstore',
  model: (db) => db.brandstore,
  access: { read: 'public', write: STAFF },
  softDelete: true,
  exploreMethods: ['post', 'get'],
  scope: storeScope,
  filters: storeFilters,
  where: storeWhere,
  searchFields: ['nama', 'alamat', 'city', 'groupname', 'notelp'],
  defaultOrder: [{ city: 'asc' }, { nama: 'asc' }, { id: 'asc' }],
  toJSON: (r) => storeJSON(r),
  schema: storeSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'nama', value: (r) => r.nama, orderBy: (d) => ({ nama: d }) },
    { name: 'alamat', value: (r) => r.alamat, orderBy: (d) => ({ alamat: d }) },
    { name: 'notelp', value: (r) => r.notelp, orderBy: (d) => ({ notelp: d }) },
    { name: 'opentime', value: (r) => formatTime(r.opentime), orderBy: (d) => ({ opentime: d }) },
    { name: 'closetime', value: (r) => formatTime(r.closetime), orderBy: (d) => ({ closetime: d }) },
    { name: 'city', value: (r) => r.city, orderBy: (d) => ({ city: d }) },
    { name: 'lat', value: (r) => r.lat, orderBy: (d) => ({ lat: d }) },
    { name: 'lng', value: (r) => r.lng, orderBy: (d) => ({ lng: d }) },
    { name: 'is_show', value: (r) => r.is_show, orderBy: (d) => ({ is_show: d }) },
    { name: 'groupname', value: (r) => r.groupname, orderBy: (d) => ({ groupname: d }) },
  ],
  create: { body: storeBody, run: async (b, _c, tx) => (await tx.brandstore.create({ data: b })).id },
  update: { body: storeBody.partial(), run: async (id, b, _c, tx) => void (await tx.brandstore.update({ where: { id }, data: b })) },
  delete: {
    // Soft delete: store products and their stock history stay for past orders. The warehouse stays:
    // every e-commerce checkout reserves from it and no endpoint changes it.
    run: async (id, c, tx) => {
      // FOR UPDATE conflicts with the key lock that writing delivery_settings.id_brandstore_gudang takes
      // on this row (its foreign key): a settings row naming the store, created or changed meanwhile,
      // either committed before and is read below, or waits until this delete has committed.
      const [row] = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM brandstore WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
      if (!row) throw notFound(`brandstore ${id} not found`);
      if (await tx.deliverySetting.count({ where: { id_brandstore_gudang: id } })) {
        throw conflict('This store is the warehouse e-commerce orders take their stock from (deliveries/settings) and cannot be deleted');
      }
      await tx.brandstore.update({ where: { id }, data: { deleted_at: c.app.now() } });
    },
  },
});

const SEARCH_LIMIT = 100;
const storeSearchBody = emptyFiltersAbsent(storeFilters).extend({
  groupby: z.enum(['city', 'groupname']).optional(),
  latlng: z.object({ lat: s.number((n) => n.min(-90).max(90)), lng: s.number((n) => n.min(-180).max(180)) }).optional(),
  limit: s.wholeNumber(1, SEARCH_LIMIT).optional(),
});

/** A store found by search: `meter_in_distance` only when searched by `latlng`. */
const storeFound = storeSchema.extend({ meter_in_distance: shape.int.optional() });

/**
 * `brandstore/search`: with `latlng`, stores nearest first with `meter_in_distance` (haversine in SQL,
 * so ordering and limit are right whatever the number of stores); with `groupby`, an object keyed by
 * city (or groupname) in the order of the list.
 */
const storeSearch = route({
  method: 'post',
  path: '/brandstore/search',
  access: 'public',
  tag: 'brandstore',
  summary: 'Search stores; latlng sorts nearest first with meter_in_distance; groupby "city" keys the answer by city',
  body: storeSearchBody.optional(),
  // with groupby: keyed by city or groupname (names from the data, hence a record)
  response: shape.one('brandstore', z.union([z.array(storeFound), z.record(z.string(), z.array(storeFound))])),
  handler: async ({ app, user, body }) => {
    const b = body ?? {};
    const limit = b.limit ?? SEARCH_LIMIT;
    const where: Where = { AND: [{ deleted_at: null }, storeScope({ app, user }) ?? {}, storeWhere(b)] };
    let rows: any[];
    if (b.latlng) {
      const { lat, lng } = b.latlng;
      const conds = [Prisma.sql`deleted_at IS NULL`];
      if (!isStaff(user)) conds.push(Prisma.sql`is_show = 1`);
      if (b.is_show !== undefined) conds.push(Prisma.sql`is_show = ${b.is_show}`);
      if (b.city) conds.push(Prisma.sql`lower(city) = lower(${b.city})`);
      if (b.groupname) conds.push(Prisma.sql`groupname = ${b.groupname}`);
      if (b.nama) conds.push(Prisma.sql`nama ILIKE ${likePattern(b.nama)}`);
      const near = await app.db.$queryRaw<{ id: number; meters: number }[]>`
        SELECT id, 2 * 6371000 * asin(least(1, sqrt(
          power(sin(radians(lat - ${lat}::float8) / 2), 2) +
          cos(radians(${lat}::float8)) * cos(radians(lat)) * power(sin(radians(lng - ${lng}::float8) / 2), 2)
        ))) AS meters
        FROM brandstore WHERE ${Prisma.join(conds, ' AND ')}
        ORDER BY meters, id LIMIT ${limit}`;
      const byId = new Map((await app.db.brandstore.findMany({ where: { id: { in: near.map((n) => n.id) } } })).map((r) => [r.id, r]));
      rows = near.map((n) => ({ ...storeJSON(byId.get(n.id)!), meter_in_distance: Math.round(Number(n.meters)) }));
    } else {
      rows = (await app.db.brandstore.findMany({ where, orderBy: [{ city: 'asc' }, { nama: 'asc' }, { id: 'asc' }], take: limit })).map(storeJSON);
    }
    if (!b.groupby) return { brandstore: rows };
    const grouped: Record<string, unknown[]> = {};
    for (const r of rows) (grouped[r[b.groupby] || '-'] ??= []).push(r);
    return { brandstore: grouped };
  },
});

const storeCities = route({
  method: 'get',
  path: '/brandstore/city',
  access: 'public',
  tag: 'brandstore',
  summary: 'The distinct cities of the stores',
  response: z.array(z.object({ city: shape.str })),
  handler: async ({ app, user }) => {
    const rows = await app.db.brandstore.findMany({
      where: { deleted_at: null, city: { not: '' }, ...(isStaff(user) ? {} : { is_show: 1 }) },
      distinct: ['city'],
      select: { city: true },
      orderBy: { city: 'asc' },
    });
    return rows.map((r) => ({ city: r.city }));
  },
});

const storeRoutes = [...baseStoreRoutes.filter((r) => r.path !== '/brandstore/search'), storeSearch, storeCities];

// ---------------------------------------------------------------- brandstore_menus

/** Products and stores the caller may see: live ones; hidden stores for staff only. */
function visible(c: Caller): Where {
  return { menu: { deleted_at: null }, brandstore: { deleted_at: null, ...(isStaff(c.user) ? {} : { is_show: 1 }) } };
}

const storeMenuFilters = z.object({
  idmenu: s.id.optional(),
  idbrandstore: s.id.optional(),
  idbundlemenus: z.unknown().optional(), // bakery leftover in the document: accepted, ignored
  kategori: s.text(200).optional(),
  id_menu_categories: s.idList.optional(),
  groupname: s.text(50).optional(),
  city: s.text(100).optional(),
  nama: s.text(300).optional(),
  is_resep_required: s.flag.optional(),
});
type StoreMenuFilters = z.infer<typeof storeMenuFilters>;

function storeMenuWhere(f: StoreMenuFilters): Where {
  const and: Where[] = [];
  if (f.kategori) {
    const k = { menu_categories: equalsText(f.kategori), deleted_at: null };
    and.push({ menu: { OR: [{ category1: k }, { category2: k }, { category3: k }] } });
  }
  if (f.id_menu_categories?.length) {
    const ids = { in: f.id_menu_categories };
    and.push({ menu: { OR: [{ id_menu_categories_1: ids }, { id_menu_categories_2: ids }, { id_menu_categories_3: ids }] } });
  }
  if (f.nama) and.push({ menu: { nama_menus: containsText(f.nama) } });
  if (f.is_resep_required !== undefined) and.push({ menu: { is_resep_required: f.is_resep_required } });
  if (f.groupname) and.push({ brandstore: { groupname: f.groupname } });
  if (f.city) and.push({ brandstore: { city: equalsText(f.city) } });
  return { idmenu: f.idmenu, idbrandstore: f.idbrandstore, ...(and.length ? { AND: and } : {}) };
}

const storeMenuOrder = [{ idbrandstore: 'asc' as const }, { nourut_menu: 'asc' as const }, { id: 'asc' as const }];

const storeMenuSpec = {
  name: 'brandstore_menus',
  key: 'brandstoremenus',
  exploreMethods: ['post', 'get'] as ('post' | 'get')[],
  model: (db: any) => db.brandstoreMenu,
  access: { read: 'public' as const, write: STAFF },
  scope: visible,
  filters: storeMenuFilters,
  where: storeMenuWhere,
  include: storeMenuInclude,
  defaultOrder: storeMenuOrder,
  // explore and search: the same filters, scope and order in plain SQL (menus.service.ts)
  list: (f: StoreMenuFilters, c: Caller, page: { skip: number; take: number; count: boolean }) => storeMenuList(c.app.db, f, isStaff(c.user), page),
  readCache: STORE_MENU_READS,
  searchFields: ['menu.nama_menus', 'brandstore.nama'],
  toJSON: (r: StoreMenuRow, c: Caller) => storeMenuJSON(c.app, r, c.user),
  toDetail: (r: StoreMenuRow, c: Caller) => storeMenuDetail(c.app, r, c.user),
  schema: storeMenuSchema,
  detailSchema: storeMenuDetailSchema,
  columns: [
    { name: 'id', value: (r: any) => r.id, orderBy: (d: 'asc' | 'desc') => ({ id: d }) },
    { name: 'idmenu', value: (r: any) => r.idmenu, orderBy: (d: 'asc' | 'desc') => ({ idmenu: d }) },
    { name: 'idbrandstore', value: (r: any) => r.idbrandstore, orderBy: (d: 'asc' | 'desc') => ({ idbrandstore: d }) },
    { name: 'nama', value: (r: any) => r.menu.nama_menus, orderBy: (d: 'asc' | 'desc') => ({ menu: { nama_menus: d } }) },
    { name: 'brief', value: (r: any) => r.menu.brief, orderBy: (d: 'asc' | 'desc') => ({ menu: { brief: d } }) },
    { name: 'img', value: (r: any, c: Caller) => storeMenuJSON(c.app, r, c.user).img },
    { name: 'harga', value: (r: any) => r.menu.harga, orderBy: (d: 'asc' | 'desc') => ({ menu: { harga: d } }) },
    { name: 'pajak', value: (r: any) => r.menu.pajak, orderBy: (d: 'asc' | 'desc') => ({ menu: { pajak: d } }) },
    { name: 'buffertime', value: () => 0 },
    { name: 'kategori', value: (r: any, c: Caller) => storeMenuJSON(c.app, r, c.user).kategori },
    { name: 'harga_promosi', value: (r: any, c: Caller) => storeMenuJSON(c.app, r, c.user).harga_promosi },
    { name: 'mulai_harga_promosi', value: (r: any, c: Caller) => storeMenuJSON(c.app, r, c.user).mulai_harga_promosi },
    { name: 'selesai_harga_promosi', value: (r: any, c: Caller) => storeMenuJSON(c.app, r, c.user).selesai_harga_promosi },
    { name: 'stocks', value: (r: any) => r.stock?.quantitytotal ?? 0, orderBy: (d: 'asc' | 'desc') => ({ stock: { quantitytotal: d } }) },
    { name: 'codebundle', value: () => null },
    { name: 'idstock', value: (r: any) => r.stock?.id ?? null },
  ],
  create: {
    body: z.object({ idmenu: s.id, idbrandstore: s.id, nourut_menu: s.count.optional(), quantitytotal: s.count.optional() }),
    run: async (b: NewStoreMenu, c: Caller, tx: Tx) => (await createStoreMenus(tx, [b], c.user?.id ?? null))[0]!,
  },
  update: false as const,
  delete: {
    // Order lines that reserved stock from it point at its stock row: such a product stays (409).
    run: async (id: number, _c: Caller, tx: Tx) => {
      // Lock its stock row as reserveStock does before counting: a checkout reserving from it then
      // either commits first (and its order line is counted here) or waits and finds no stock (409).
      // Without the lock a reservation committing meanwhile was cascaded away with the row.
      await tx.$queryRaw`SELECT id FROM stocks WHERE idbrandstoremenus = ${id} ORDER BY id FOR UPDATE`;
      const used = await tx.orderItem.count({ where: { stock: { idbrandstoremenus: id } } });
      if (used) throw conflict('This store product is referenced by orders and cannot be deleted');
      await tx.brandstoreMenu.delete({ where: { id } });
    },
  },
};

type NewStoreMenu = { idmenu: number; idbrandstore: number; nourut_menu?: number; quantitytotal?: number };

/** Creates store products with their stock rows (all or nothing: the caller's transaction). */
async function createStoreMenus(tx: Tx, items: NewStoreMenu[], id_users: number | null): Promise<number[]> {
  const menuIds = [...new Set(items.map((i) => i.idmenu))];
  const storeIds = [...new Set(items.map((i) => i.idbrandstore))];
  // one after another: the transaction's one connection runs one statement at a time
  const menus = await tx.menu.findMany({ where: { id: { in: menuIds }, deleted_at: null }, select: { id: true } });
  const stores = await tx.brandstore.findMany({ where: { id: { in: storeIds }, deleted_at: null }, select: { id: true } });
  const missingMenu = menuIds.find((id) => !menus.some((m) => m.id === id));
  if (missingMenu) throw badRequest('Invalid input', [{ field: 'idmenu', message: `unknown product ${missingMenu}` }]);
  const missingStore = storeIds.find((id) => !stores.some((st) => st.id === id));
  if (missingStore) throw badRequest('Invalid input', [{ field: 'idbrandstore', message: `unknown store ${missingStore}` }]);
  // A repeated (product, store) pair hits the unique index: P2002 → 409, and nothing is kept.
  const created = await tx.brandstoreMenu.createManyAndReturn({
    data: items.map((i) => ({ idmenu: i.idmenu, idbrandstore: i.idbrandstore, nourut_menu: i.nourut_menu ?? 0 })),
    select: { id: true, idmenu: true, idbrandstore: true },
  });
  const qty = (row: { idmenu: number; idbrandstore: number }) => items.find((i) => i.idmenu === row.idmenu && i.idbrandstore === row.idbrandstore)?.quantitytotal ?? 0;
  const stocks = await tx.stock.createManyAndReturn({ data: created.map((r) => ({ idbrandstoremenus: r.id, quantitytotal: qty(r) })) });
  const opening = stocks.filter((st) => st.quantitytotal > 0);
  if (opening.length) {
    await tx.stockMovement.createMany({
      data: opening.map((st) => ({ idstock: st.id, delta: st.quantitytotal, quantity_after: st.quantitytotal, reason: 'ADJUST', id_users, note: 'opening stock' })),
    });
  }
  // createManyAndReturn keeps the input order on PostgreSQL; sort by id to be sure.
  return created.map((r) => r.id).sort((a, b) => a - b);
}

const baseStoreMenuRoutes = resourceRoutes(storeMenuSpec as any);

async function loadStoreMenus(c: Caller, ids: number[], db: Db = c.app.db) {
  const rows = await db.brandstoreMenu.findMany({ where: { id: { in: ids } }, include: storeMenuInclude, orderBy: { id: 'asc' } });
  return rows as unknown as StoreMenuRow[];
}

const bulkItem = z.object({ idmenu: s.id, idbrandstore: s.id, nourut_menu: s.count.optional(), quantitytotal: s.count.optional() });

const storeMenuBulk = route({
  method: 'post',
  path: '/brandstore_menus/create/bulk',
  access: STAFF,
  tag: 'brandstore_menus',
  summary: 'Add several products to stores at once (all or nothing)',
  body: z.union([z.array(bulkItem).min(1).max(500), z.object({ data: z.array(bulkItem).min(1).max(500) }).transform((o) => o.data)]),
  response: shape.many('brandstoremenus', storeMenuDetailSchema),
  handler: async ({ app, user, body, auditChange }) => {
    const c = { app, user };
    return app.db.$transaction(async (tx) => {
      const rows = await loadStoreMenus(c, await createStoreMenus(tx, body, user!.id), tx);
      const answer = { brandstoremenus: rows.map((r) => storeMenuDetail(app, r, user)) };
      await auditChange(tx, answer);
      return answer;
    });
  },
});

const storeMenuDuplicate = route({
  method: 'post',
  path: '/brandstore_menus/:id/duplicates',
  access: STAFF,
  tag: 'brandstore_menus',
  summary: 'Copy a store product into another store (body: idbrandstore; stock starts at 0)',
  body: z.object({ idbrandstore: s.id }),
  response: shape.one('menus', storeMenuCopySchema),
  handler: async ({ app, user, params, body, auditChange }) => {
    const c = { app, user };
    const row = await app.db.$transaction(async (tx) => {
      const src = await tx.brandstoreMenu.findFirst({ where: { id: params.id, menu: { deleted_at: null }, brandstore: { deleted_at: null } } });
      if (!src) throw notFound(`brandstore_menus ${params.id} not found`);
      const [id] = await createStoreMenus(tx, [{ idmenu: src.idmenu, idbrandstore: body.idbrandstore, nourut_menu: src.nourut_menu }], user!.id);
      await auditChange(tx);
      return (await loadStoreMenus(c, [id!], tx))[0]!;
    });
    return { menus: storeMenuCopyJSON(app, row, user) };
  },
});

/** search with `groupby`: an object keyed by category (menu/kategori), store or city. */
const groupKeys = {
  menu: (r: ReturnType<typeof storeMenuJSON>) => r.kategori || '-',
  kategori: (r: ReturnType<typeof storeMenuJSON>) => r.kategori || '-',
  brandstore: (r: ReturnType<typeof storeMenuJSON>) => r.brandstores,
  city: (r: ReturnType<typeof storeMenuJSON>) => r.city || '-',
};

const storeMenuSearch = route({
  method: 'post',
  path: '/brandstore_menus/search',
  access: 'public',
  tag: 'brandstore_menus',
  summary: 'Search store products; groupby "menu" (= by category), "brandstore" or "city" keys the answer',
  body: emptyFiltersAbsent(storeMenuFilters).extend({ groupby: z.enum(['menu', 'kategori', 'brandstore', 'city']).optional(), limit: s.wholeNumber(1, 100).optional() }).optional(),
  // with groupby: keyed by category, store name or city (names from the data, hence a record)
  response: shape.one('brandstoremenus', z.union([z.array(storeMenuSchema), z.record(z.string(), z.array(storeMenuSchema))])),
  handler: async ({ app, user, body }) => {
    const { groupby, limit = 100, ...f } = body ?? {};
    return cachedRead<unknown>({ app, user }, STORE_MENU_READS, 'brandstore_menus/search', [groupby, limit, f], async () => {
      // the resource's explore/search query (plain SQL, menus.service.ts): visible(), storeMenuWhere, storeMenuOrder
      const { rows } = await storeMenuList(app.db, f, isStaff(user), { skip: 0, take: limit, count: false });
      const list = rows.map((r) => storeMenuJSON(app, r as unknown as StoreMenuRow, user));
      if (!groupby) return { rows, answer: { brandstoremenus: list } };
      const grouped: Record<string, unknown[]> = {};
      for (const r of list) (grouped[groupKeys[groupby](r)] ??= []).push(r);
      return { rows, answer: { brandstoremenus: grouped } };
    });
  },
});

const storeMenuStock = route({
  method: ['put', 'post'],
  path: '/brandstore_menus/:id/stocks',
  access: STAFF,
  tag: 'brandstore_menus',
  summary: 'Set (quantitytotal) or change (delta) the stock of a store product; never below zero',
  body: z
    .object({ quantitytotal: s.count.optional(), delta: s.number((n) => n.int().min(-1_000_000).max(1_000_000)).optional(), note: s.text(300).optional() })
    .refine((b) => (b.quantitytotal === undefined) !== (b.delta === undefined), { message: 'give either quantitytotal or delta', path: ['quantitytotal'] }),
  response: shape.one('brandstoremenus', storeMenuDetailSchema),
  handler: async ({ app, user, params, body, auditChange }) => {
    const c = { app, user };
    const row = await app.db.$transaction(async (tx) => {
      const exists = await tx.brandstoreMenu.findFirst({ where: { id: params.id, ...visible(c) }, select: { id: true } });
      if (!exists) throw notFound(`brandstore_menus ${params.id} not found`);
      await adjustStock(tx, params.id, body, user!.id, body.note);
      await auditChange(tx);
      return (await loadStoreMenus(c, [params.id], tx))[0]!;
    });
    return { brandstoremenus: storeMenuDetail(app, row, user) };
  },
});

const storeMenuRoutes = [
  ...baseStoreMenuRoutes.filter((r) => r.path !== '/brandstore_menus/search'),
  storeMenuSearch,
  storeMenuBulk,
  storeMenuDuplicate,
  storeMenuStock,
];

export const storeModuleRoutes: RouteDef[] = [...storeRoutes, ...storeMenuRoutes];
