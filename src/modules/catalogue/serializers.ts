import { z } from 'zod';
import * as r from '../../http/response.js';
import type { AppContext } from '../../app-context.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { formatDateTime, formatTime } from '../../lib/dates.js';
import { effectivePrice, formatRupiah } from './pricing.js';

/** Prisma `include` fragments shared by every place a product is shown (constant query count). */
const primaryImage = {
  orderBy: [{ is_primary: 'desc' as const }, { nomor_urut_tampil: 'asc' as const }, { id: 'asc' as const }],
  take: 1,
};
/** a category as a product shows it: its name, and whether it was deleted (then shown as absent: categoryName) */
const categoryRef = { select: { menu_categories: true, deleted_at: true } };
export const menuInclude = {
  images: primaryImage,
  category1: categoryRef,
  category2: categoryRef,
  category3: categoryRef,
};

type CategoryRef = { menu_categories: string; deleted_at: Date | null } | null | undefined;
/** The name of a product's category, '' when the slot is empty or the category was deleted. */
export const categoryName = (c: CategoryRef) => (c && !c.deleted_at ? c.menu_categories : '');

type CategoryRow = { id: number; menu_categories: string; codes: string; color: string; images: string };
type MenuRow = {
  id: number;
  nama_menus: string;
  brief: string;
  harga: number;
  pajak: number;
  is_resep_required: number;
  harga_promosi: number;
  mulai_harga_promosi: Date | null;
  selesai_harga_promosi: Date | null;
  is_featured: number;
  id_menu_categories_1: number | null;
  id_menu_categories_2: number | null;
  id_menu_categories_3: number | null;
  dosis: string;
  komposisi: string;
  aturan_pakai: string;
  nomor_registrasi: string;
  produsen: string;
  satuan: string;
  berat: number;
  images?: { menu_image: string }[];
  category1?: CategoryRef;
  category2?: CategoryRef;
  category3?: CategoryRef;
};
type StoreRow = {
  id: number;
  nama: string;
  alamat: string;
  notelp: string;
  opentime: Date | null;
  closetime: Date | null;
  city: string;
  lat: number;
  lng: number;
  is_show: number;
  groupname: string;
};

export function categoryJSON(app: AppContext, c: CategoryRow) {
  const url = app.storage.publicUrl('menu_categories', c.images);
  // The document prints `image_path` in lists and `img_path` in single answers: both are given.
  return { id: c.id, menu_categories: c.menu_categories, codes: c.codes, color: c.color, images: c.images, image_path: url, img_path: url };
}

export const categorySchema = z.object({
  id: r.int,
  menu_categories: r.str,
  codes: r.str,
  color: r.str,
  images: r.str,
  image_path: r.str,
  img_path: r.str,
});

export const menuImageUrl = (app: AppContext, m: { images?: { menu_image: string }[] }) =>
  app.storage.publicUrl('menus', m.images?.[0]?.menu_image);

/** The price fields of a product: stored values plus the price it sells at now. */
function priceFields(m: MenuRow, now: Date) {
  const aktif = effectivePrice(m, now);
  return {
    harga: m.harga,
    pajak: m.pajak,
    harga_promosi: m.harga_promosi,
    mulai_harga_promosi: formatDateTime(m.mulai_harga_promosi),
    selesai_harga_promosi: formatDateTime(m.selesai_harga_promosi),
    /** what the product costs right now (promotion price only inside its window) */
    harga_aktif: aktif,
    is_promo_aktif: aktif < m.harga ? 1 : 0,
    display_harga: formatRupiah(aktif),
  };
}

/**
 * A product's documented fields as stored (prices without the effective-price extras). Every answer
 * that shows a product starts from this: the catalogue, order lines, prescription snapshots.
 */
export function menuBaseJSON(m: MenuRow) {
  return {
    id: m.id,
    nama_menus: m.nama_menus,
    brief: m.brief,
    harga: m.harga,
    pajak: m.pajak,
    is_resep_required: m.is_resep_required,
    harga_promosi: m.harga_promosi,
    mulai_harga_promosi: formatDateTime(m.mulai_harga_promosi),
    selesai_harga_promosi: formatDateTime(m.selesai_harga_promosi),
    is_featured: m.is_featured,
    id_menu_categories_1: m.id_menu_categories_1 ?? 0,
    id_menu_categories_2: m.id_menu_categories_2 ?? 0,
    id_menu_categories_3: m.id_menu_categories_3 ?? 0,
    dosis: m.dosis,
    komposisi: m.komposisi,
    aturan_pakai: m.aturan_pakai,
    nomor_registrasi: m.nomor_registrasi,
    produsen: m.produsen,
    satuan: m.satuan,
    berat: m.berat,
  };
}

export function menuJSON(app: AppContext, m: MenuRow) {
  return { ...menuBaseJSON(m), ...priceFields(m, app.now()), images: menuImageUrl(app, m) };
}

/** The short product inside a menu image (`menu_images/{id}`). */
export function menuBriefJSON(app: AppContext, m: MenuRow) {
  return {
    id: m.id,
    nama_menus: m.nama_menus,
    brief: m.brief,
    ...priceFields(m, app.now()),
    is_resep_required: m.is_resep_required,
    kategori: categoryName(m.category1),
    is_featured: m.is_featured,
  };
}

const priceSchema = {
  harga: r.int,
  pajak: r.int,
  harga_promosi: r.int,
  mulai_harga_promosi: r.when,
  selesai_harga_promosi: r.when,
  harga_aktif: r.int,
  is_promo_aktif: r.flag,
  display_harga: r.str,
};
export const menuBaseSchema = z.object({
  id: r.int,
  nama_menus: r.str,
  brief: r.str,
  harga: r.int,
  pajak: r.int,
  is_resep_required: r.flag,
  harga_promosi: r.int,
  mulai_harga_promosi: r.when,
  selesai_harga_promosi: r.when,
  is_featured: r.flag,
  id_menu_categories_1: r.int,
  id_menu_categories_2: r.int,
  id_menu_categories_3: r.int,
  dosis: r.str,
  komposisi: r.str,
  aturan_pakai: r.str,
  nomor_registrasi: r.str,
  produsen: r.str,
  satuan: r.str,
  berat: r.int,
});
export const menuSchema = menuBaseSchema.extend({ ...priceSchema, images: r.str });
const menuBriefSchema = z.object({
  id: r.int,
  nama_menus: r.str,
  brief: r.str,
  ...priceSchema,
  is_resep_required: r.flag,
  kategori: r.str,
  is_featured: r.flag,
});

type ImageRow = { id: number; id_menus: number; menu_image: string; is_primary: number; nomor_urut_tampil: number };
export function menuImageJSON(app: AppContext, i: ImageRow) {
  return {
    id: i.id,
    id_menus: i.id_menus,
    menu_image: i.menu_image,
    is_primary: i.is_primary,
    nomor_urut_tampil: i.nomor_urut_tampil,
    img_path: app.storage.publicUrl('menus', i.menu_image),
  };
}

export const menuImageSchema = z.object({
  id: r.int,
  id_menus: r.int,
  menu_image: r.str,
  is_primary: r.flag,
  nomor_urut_tampil: r.int,
  img_path: r.str,
});
/** `menu_images/{id}`: the picture with its product (deleted products stay visible to staff). */
export const menuImageDetailSchema = menuImageSchema.extend({ menus: menuBriefSchema });
/** `menu_images/create`, `{id}/update`: the document prints `menus: null` and `image_upload: true`. */
export const menuImageUploadSchema = menuImageSchema.extend({ menus: z.null(), image_upload: z.literal(true) });

export function storeJSON(s: StoreRow) {
  return {
    id: s.id,
    nama: s.nama,
    alamat: s.alamat,
    notelp: s.notelp,
    opentime: formatTime(s.opentime),
    closetime: formatTime(s.closetime),
    city: s.city,
    lat: s.lat,
    lng: s.lng,
    is_show: s.is_show,
    groupname: s.groupname,
  };
}

export const storeSchema = z.object({
  id: r.int,
  nama: r.str,
  alamat: r.str,
  notelp: r.str,
  opentime: r.when,
  closetime: r.when,
  city: r.str,
  lat: r.num,
  lng: r.num,
  is_show: r.flag,
  groupname: r.str,
});

/** A store inside a store product (`brandstore_menus` create/{id}/duplicates): without is_show and groupname. */
function storeBriefJSON(row: StoreRow) {
  const { is_show: _show, groupname: _group, ...brief } = storeJSON(row);
  return brief;
}
const storeBriefSchema = storeSchema.omit({ is_show: true, groupname: true });

type StockRow = { id: number; idbrandstoremenus: number; quantitytotal: number; datetimeupdateat: Date };
export type StoreMenuRow = {
  id: number;
  idmenu: number;
  idbrandstore: number;
  nourut_menu: number;
  menu: MenuRow;
  brandstore: StoreRow;
  stock: StockRow | null;
};
export const storeMenuInclude = { menu: { include: menuInclude }, brandstore: true, stock: true };

/** A store product in lists: the document's flat row (bakery leftovers printed as constants). */
export function storeMenuJSON(app: AppContext, r: StoreMenuRow, user: AuthUser | undefined) {
  const m = r.menu;
  const now = app.now();
  const aktif = effectivePrice(m, now);
  const promo = aktif < m.harga ? aktif : null;
  const s = storeJSON(r.brandstore);
  const img = m.images?.[0]?.menu_image ?? '';
  return {
    id: r.id,
    idmenu: r.idmenu,
    idstock: r.stock?.id ?? null,
    idbrandstoremenus: r.id,
    idbrandstore: r.idbrandstore,
    codebundle: null,
    brandstores: s.nama,
    alamat: s.alamat,
    notelp: s.notelp,
    opentime: s.opentime,
    closetime: s.closetime,
    city: s.city,
    lat: s.lat,
    lng: s.lng,
    groupname: s.groupname,
    nama: m.nama_menus,
    brief: m.brief,
    img,
    harga: m.harga,
    pajak: m.pajak,
    buffertime: 0,
    nourut_menu: r.nourut_menu,
    nourut_kategori: 0,
    kategori: categoryName(m.category1),
    is_resep_required: m.is_resep_required,
    // Only a promotion that is running now is shown as one.
    harga_promosi: promo,
    mulai_harga_promosi: promo === null ? null : formatDateTime(m.mulai_harga_promosi),
    selesai_harga_promosi: promo === null ? null : formatDateTime(m.selesai_harga_promosi),
    harga_aktif: aktif,
    stocks: r.stock?.quantitytotal ?? 0,
    is_has_extra: false,
    img_path: app.storage.publicUrl('menus', img),
    display_harga: formatRupiah(m.harga),
    display_harga_promosi: formatRupiah(promo ?? 0),
    editable: isStaff(user),
  };
}

export const storeMenuSchema = z.object({
  id: r.int,
  idmenu: r.int,
  idstock: r.int.nullable(),
  idbrandstoremenus: r.int,
  idbrandstore: r.int,
  codebundle: z.null(),
  brandstores: r.str,
  alamat: r.str,
  notelp: r.str,
  opentime: r.when,
  closetime: r.when,
  city: r.str,
  lat: r.num,
  lng: r.num,
  groupname: r.str,
  nama: r.str,
  brief: r.str,
  img: r.str,
  harga: r.int,
  pajak: r.int,
  buffertime: z.literal(0),
  nourut_menu: r.int,
  nourut_kategori: z.literal(0),
  kategori: r.str,
  is_resep_required: r.flag,
  /** null unless a promotion is running now */
  harga_promosi: r.int.nullable(),
  mulai_harga_promosi: r.when,
  selesai_harga_promosi: r.when,
  harga_aktif: r.int,
  stocks: r.int,
  is_has_extra: z.literal(false),
  img_path: r.str,
  display_harga: r.str,
  display_harga_promosi: r.str,
  editable: z.boolean(),
});

/** A store product alone (`create`, `{id}`): nested product and store, and its stock rows. */
export function storeMenuDetail(app: AppContext, r: StoreMenuRow, user: AuthUser | undefined) {
  const flat = storeMenuJSON(app, r, user);
  const m = r.menu;
  return {
    id: r.id,
    idmenu: r.idmenu,
    idbrandstore: r.idbrandstore,
    nourut_menu: r.nourut_menu,
    menu: {
      id: m.id,
      idbundlemenus: 0,
      nama: flat.nama,
      brief: flat.brief,
      img: flat.img,
      img_path: flat.img_path,
      harga: flat.harga,
      pajak: flat.pajak,
      buffertime: 0,
      kategori: flat.kategori,
      harga_promosi: flat.harga_promosi,
      mulai_harga_promosi: flat.mulai_harga_promosi,
      selesai_harga_promosi: flat.selesai_harga_promosi,
      harga_aktif: flat.harga_aktif,
      display_harga: flat.display_harga,
      display_harga_promosi: flat.display_harga_promosi,
      codebundle: null,
      stocks: flat.stocks,
    },
    brandstore: storeBriefJSON(r.brandstore),
    stocks: r.stock
      ? [
          {
            id: r.stock.id,
            idbrandstoremenus: r.id,
            quantitytotal: r.stock.quantitytotal,
            datetimeupdateat: formatDateTime(r.stock.datetimeupdateat),
            idbundlemenus: 0,
            nama: m.nama_menus,
            brief: m.brief,
            harga: m.harga,
            pajak: m.pajak,
            buffertime: 0,
          },
        ]
      : [],
  };
}

export const storeMenuDetailSchema = z.object({
  id: r.int,
  idmenu: r.int,
  idbrandstore: r.int,
  nourut_menu: r.int,
  menu: z.object({
    id: r.int,
    idbundlemenus: z.literal(0),
    nama: r.str,
    brief: r.str,
    img: r.str,
    img_path: r.str,
    harga: r.int,
    pajak: r.int,
    buffertime: z.literal(0),
    kategori: r.str,
    harga_promosi: r.int.nullable(),
    mulai_harga_promosi: r.when,
    selesai_harga_promosi: r.when,
    harga_aktif: r.int,
    display_harga: r.str,
    display_harga_promosi: r.str,
    codebundle: z.null(),
    stocks: r.int,
  }),
  brandstore: storeBriefSchema,
  /** the stock row of the store product (empty when it has none) */
  stocks: z.array(
    z.object({
      id: r.int,
      idbrandstoremenus: r.int,
      quantitytotal: r.int,
      datetimeupdateat: r.str,
      idbundlemenus: z.literal(0),
      nama: r.str,
      brief: r.str,
      harga: r.int,
      pajak: r.int,
      buffertime: z.literal(0),
    }),
  ),
});

/** `brandstore_menus/{id}/duplicates`: the new store product, in the document's `menus` shape. */
export function storeMenuCopyJSON(app: AppContext, r: StoreMenuRow, user: AuthUser | undefined) {
  const flat = storeMenuJSON(app, r, user);
  return {
    id: r.id,
    idmenu: r.idmenu,
    idbrandstore: r.idbrandstore,
    brandstore: storeBriefJSON(r.brandstore),
    bundlemenus: null,
    nama: flat.nama,
    brief: flat.brief,
    img: flat.img,
    img_path: flat.img_path,
    harga: flat.harga,
    pajak: flat.pajak,
    buffertime: 0,
    stocks: flat.stocks,
  };
}

export const storeMenuCopySchema = z.object({
  id: r.int,
  idmenu: r.int,
  idbrandstore: r.int,
  brandstore: storeBriefSchema,
  bundlemenus: z.null(),
  nama: r.str,
  brief: r.str,
  img: r.str,
  img_path: r.str,
  harga: r.int,
  pajak: r.int,
  buffertime: z.literal(0),
  stocks: r.int,
});

type PromotionRow = {
  id: number;
  id_menu: number | null;
  type: string;
  value: number;
  quota: number;
  quota_reserved: number;
  quota_used: number;
  max_uses_per_customer: number;
  start_datetime: Date;
  expired_datetime: Date;
  display_codes: string;
  title: string;
  description: string;
  img_promotions: string;
};

export function promotionJSON(app: AppContext, p: PromotionRow) {
  return {
    id: p.id,
    id_menu: p.id_menu ?? 0,
    type: p.type,
    value: p.value,
    quota: p.quota,
    quota_remaining: Math.max(0, p.quota - p.quota_reserved - p.quota_used),
    max_uses_per_customer: p.max_uses_per_customer,
    start_datetime: formatDateTime(p.start_datetime),
    expired_datetime: formatDateTime(p.expired_datetime),
    display_codes: p.display_codes,
    title: p.title,
    description: p.description,
    img_promotions: p.img_promotions,
    img_promotions_path: app.storage.publicUrl('promotions', p.img_promotions),
  };
}

/** Lists print `img_promotions` as the URL (the document's explore/search samples). */
export function promotionListJSON(app: AppContext, p: PromotionRow) {
  const full = promotionJSON(app, p);
  return { ...full, img_promotions: full.img_promotions_path };
}

export const promotionTypes = ['POTONGAN', 'NOMINAL', 'PERSEN'] as const;

/** Both shapes (detail and list) have the same fields; lists print `img_promotions` as the URL. */
export const promotionSchema = z.object({
  id: r.int,
  id_menu: r.int,
  type: z.enum(promotionTypes),
  value: r.int,
  quota: r.int,
  quota_remaining: r.int,
  max_uses_per_customer: r.int,
  start_datetime: r.str,
  expired_datetime: r.str,
  display_codes: r.str,
  title: r.str,
  description: r.str,
  img_promotions: r.str,
  img_promotions_path: r.str,
});

type StaticContentRow = { id: number; type: string; contents: string };
export function staticContentJSON(c: StaticContentRow) {
  return { id: c.id, type: c.type, contents: c.contents };
}
export const staticContentSchema = z.object({ id: r.int, type: r.str, contents: r.str });
