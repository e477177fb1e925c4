import { z } from 'zod';
import * as r from '../../http/response.js';
import { doctorBriefJSON, doctorBriefSchema } from '../clinic/serializers.js';
import type { AppContext } from '../../app-context.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { formatDate, formatDateTime } from '../../lib/dates.js';
import { menuBaseJSON, menuBaseSchema } from '../catalogue/serializers.js';
import { userWithDepartmentJSON, userWithDepartmentSchema } from '../identity/serializers.js';
import { ADDRESS_FIELDS, PATIENT_CLINICAL_FIELDS, PATIENT_FIELDS } from '../patients/serializers.js';

type Row = any;
const dt = formatDateTime;
/** a formatted date-time of a column that is never NULL */
const stamp = r.str;
const orderType = z.enum(['E', 'C']);
/** the commerce state machine's statuses (docs/compat.md) */
const ORDER_STATUSES = ['SHOPPING CARTS', 'CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING', 'PICKUP', 'DELIVERED', 'DONE', 'CANCEL'] as const;

/**
 * A nested account as the document prints it in orders/:id (`users`, `member`) and user_points/:id
 * (`users`): with num_of_login_attempts and the first department (rows loaded with accountInclude).
 */
const accountJSON = (app: AppContext, u: Row) => userWithDepartmentJSON(app, u, u.departments?.[0]?.department);
/** what accountJSON reads of a user row besides its columns */
export const accountInclude = { departments: { include: { department: true }, orderBy: { id: 'asc' as const }, take: 1 } } as const;

/** The order's own fields as the document's lists show them (no relations). */
export function orderJSON(o: Row) {
  return { ...orderFieldsJSON(o), grand_totals: o.grand_totals };
}

/**
 * All of them but grand_totals, which the lists and the detail put last, after the lines. (Taking
 * it out of a built answer, `{ grand_totals, ...rest }`, costs V8 a slow copy of ~70 fields.)
 */
function orderFieldsJSON(o: Row) {
  return {
    id: o.id,
    pic_admin: o.pic_admin,
    id_admin: o.id_admin ?? 0,
    id_member: o.id_member,
    id_patients: o.id_patients,
    id_promo_discount_applied: o.id_promo_discount_applied ?? 0,
    kode_provinsi: o.kode_provinsi,
    kode_kota: o.kode_kota,
    kode_kecamatan: o.kode_kecamatan,
    nama_pemesan: o.nama_pemesan,
    notelp_pemesan: o.notelp_pemesan,
    email_pemesan: o.email_pemesan,
    alamat_pemesan: o.alamat_pemesan,
    alamat_kirim: o.alamat_kirim,
    nama_penerima: o.nama_penerima,
    lat_kirim: o.lat_kirim,
    lng_kirim: o.lng_kirim,
    order_date: dt(o.order_date),
    order_type: o.order_type,
    order_code: o.order_code ?? '',
    checkout_datetime: dt(o.checkout_datetime),
    pickup_datetime: dt(o.pickup_datetime),
    queue_number: o.queue_number,
    catatan_order: o.catatan_order,
    total_price: o.total_price,
    total_discount: o.total_discount,
    total_pajak: o.total_pajak,
    total_buffertime: o.total_buffertime,
    status: o.status,
    is_paid: o.is_paid,
    token: o.token,
    payment_redirect_url: o.payment_redirect_url,
    paid_date: dt(o.paid_date),
    pay_channel: o.pay_channel,
    is_prepared: o.is_prepared,
    prepared_datetime: dt(o.prepared_datetime),
    is_delivered: o.is_delivered,
    delivered_datetime: dt(o.delivered_datetime),
    is_done: o.is_done,
    done_datetime: dt(o.done_datetime),
    is_canceled: o.is_canceled,
    cancel_datetime: dt(o.cancel_datetime),
    cancel_pic: o.cancel_pic,
    cancel_reason: o.cancel_reason,
    ratings: o.ratings ?? null,
    rating_desc: o.rating_desc ?? null,
    is_processing: o.is_processing,
    processing_datetime: dt(o.processing_datetime),
    is_waiting_courier: o.is_waiting_courier,
    waiting_courier_datetime: dt(o.waiting_courier_datetime),
    courier: o.courier,
    courier_service: o.courier_service,
    is_courier: o.is_courier,
    courier_datetime: dt(o.courier_datetime),
    is_pickup: o.is_pickup,
    courier_price: o.courier_price,
    poin_used: o.poin_used,
    distance: o.distance,
    distance_unit: o.distance_unit,
    nomor_resi: o.nomor_resi,
    consultation_closed: dt(o.consultation_closed),
    expires_at: dt(o.expires_at),
  };
}

const orderSchema = z.object({
  id: r.int,
  pic_admin: r.str,
  id_admin: r.int,
  id_member: r.int,
  id_patients: r.int,
  id_promo_discount_applied: r.int,
  kode_provinsi: r.str,
  kode_kota: r.str,
  kode_kecamatan: r.str,
  nama_pemesan: r.str,
  notelp_pemesan: r.str,
  email_pemesan: r.str,
  alamat_pemesan: r.str,
  alamat_kirim: r.str,
  nama_penerima: r.str,
  lat_kirim: r.num,
  lng_kirim: r.num,
  order_date: stamp,
  order_type: orderType,
  order_code: r.str,
  checkout_datetime: r.when,
  pickup_datetime: r.when,
  queue_number: r.int,
  catatan_order: r.str,
  total_price: r.int,
  total_discount: r.int,
  total_pajak: r.int,
  total_buffertime: r.int,
  status: z.enum(ORDER_STATUSES),
  is_paid: r.flag,
  token: r.str,
  payment_redirect_url: r.str,
  paid_date: r.when,
  pay_channel: r.str,
  is_prepared: r.flag,
  prepared_datetime: r.when,
  is_delivered: r.flag,
  delivered_datetime: r.when,
  is_done: r.flag,
  done_datetime: r.when,
  is_canceled: r.flag,
  cancel_datetime: r.when,
  cancel_pic: r.str,
  cancel_reason: r.str,
  ratings: r.int.nullable(),
  rating_desc: r.str.nullable(),
  is_processing: r.flag,
  processing_datetime: r.when,
  is_waiting_courier: r.flag,
  waiting_courier_datetime: r.when,
  courier: r.str,
  courier_service: r.str,
  is_courier: r.flag,
  courier_datetime: r.when,
  is_pickup: r.flag,
  courier_price: r.int,
  poin_used: r.int,
  distance: r.num,
  distance_unit: r.str,
  nomor_resi: r.str,
  consultation_closed: r.when,
  expires_at: r.when,
  grand_totals: r.int,
});
/** the order's fields without grand_totals (list and detail shapes print it last) */
const orderFields = orderSchema.omit({ grand_totals: true }).shape;

const primaryImage = (app: AppContext, menu: Row) => {
  const img = menu?.images?.[0];
  return img ? app.storage.publicUrl('menus', img.menu_image) : '';
};

/** An order line (the flat shape of order_items lists). */
export function itemJSON(i: Row) {
  return {
    id: i.id,
    id_order: i.id_order,
    id_menu: i.id_menu,
    qty: i.qty,
    satuan: i.satuan,
    price: i.price,
    price_total: i.price_total,
    discount: i.discount,
    pajak: i.pajak,
    buffer_time: i.buffer_time,
    order_datetime: dt(i.order_datetime),
    catatan_menu: i.catatan_menu,
    is_canceled: i.is_canceled,
    cancel_user_id: i.cancel_user_id ?? 0,
  };
}

const itemSchema = z.object({
  id: r.int,
  id_order: r.int,
  id_menu: r.int,
  qty: r.int,
  satuan: r.str,
  price: r.int,
  price_total: r.int,
  discount: r.int,
  pajak: r.int,
  buffer_time: r.int,
  order_datetime: stamp,
  catatan_menu: r.str,
  is_canceled: r.flag,
  cancel_user_id: r.int,
});

/** order_items explore/search: the line with its product's primary image. */
export function itemListJSON(app: AppContext, i: Row) {
  return { ...itemJSON(i), images: primaryImage(app, i.menu) };
}

export const itemListSchema = itemSchema.extend({ images: r.str });

/** An order line with the product's fields, as inside an order. */
function itemWithMenuJSON(app: AppContext, i: Row) {
  const m = i.menu ?? {};
  return {
    ...itemJSON(i),
    nama_menus: i.nama_menus || m.nama_menus || '',
    is_resep_required: m.is_resep_required ?? 0,
    brief: m.brief ?? '',
    dosis: m.dosis ?? '',
    komposisi: m.komposisi ?? '',
    aturan_pakai: m.aturan_pakai ?? '',
    nomor_registrasi: m.nomor_registrasi ?? '',
    produsen: m.produsen ?? '',
    berat: m.berat ?? 0,
    images: primaryImage(app, m),
  };
}

export const itemWithMenuSchema = itemSchema.extend({
  ...menuBaseSchema.pick({ nama_menus: true, is_resep_required: true, brief: true, dosis: true, komposisi: true, aturan_pakai: true, nomor_registrasi: true, produsen: true, berat: true }).shape,
  images: r.str,
});

/** order_items/:id and the e_add_to_carts answer: the line with its order and product. */
export function itemDetailJSON(i: Row) {
  return {
    id: i.id,
    order: orderJSON(i.order),
    menu: menuBaseJSON(i.menu),
    qty: i.qty,
    satuan: i.satuan,
    price: i.price,
    price_total: i.price_total,
    catatan_menu: i.catatan_menu,
  };
}

export const itemDetailSchema = z.object({
  id: r.int,
  order: orderSchema,
  menu: menuBaseSchema,
  qty: r.int,
  satuan: r.str,
  price: r.int,
  price_total: r.int,
  catatan_menu: r.str,
});



/** An order extra (a consultation); `items.doctors` when the doctor was loaded. */
export function extraJSON(app: AppContext, e: Row) {
  return {
    id: e.id,
    id_orders: e.id_orders,
    items: { item: e.item, id_doctors: e.id_doctors ?? 0, ...(e.doctor ? { doctors: doctorBriefJSON(app, e.doctor) } : {}) },
    qty: e.qty,
    extra_notes: e.extra_notes,
    extra_prices: e.extra_prices,
  };
}

export const extraSchema = z.object({
  id: r.int,
  id_orders: r.int,
  items: z.object({ item: r.str, id_doctors: r.int, doctors: doctorBriefSchema.optional() }),
  qty: r.int,
  extra_notes: r.str,
  extra_prices: r.int,
});

/** order_extras/:id: the extra with its order. */
export function extraDetailJSON(app: AppContext, e: Row) {
  const { id, ...rest } = extraJSON(app, e);
  return { id, orders: orderJSON(e.order), ...rest };
}

export const extraDetailSchema = extraSchema.extend({ orders: orderSchema });

/** The c_add_to_carts answer: the extra with its order (the document leaves id_orders out). */
export function extraInCartJSON(app: AppContext, e: Row) {
  const { id_orders: _o, ...rest } = extraDetailJSON(app, e);
  return rest;
}

export const extraInCartSchema = extraDetailSchema.omit({ id_orders: true });

/**
 * The order's patient as the document prints it. Shown in full to staff and to the customer who
 * manages the live patient; anyone else (the patient was unlinked from the customer or soft-deleted,
 * or staff opened the order for another account's patient) gets only the id and name: the rest is
 * their health and identity data (the patients module's rule).
 */
function patientJSON(p: Row, user: AuthUser | undefined) {
  const full = isStaff(user) || (!p.deleted_at && p.id_users != null && p.id_users === user?.id);
  const out: Record<string, unknown> = { id: p.id, id_users: p.id_users ?? 0 };
  for (const f of PATIENT_FIELDS) out[f] = f === 'nama_lengkap_pasien' ? p[f] : !full ? null : f === 'tanggal_lahir' ? formatDate(p[f]) : p[f];
  out.patient_picture = full ? p.patient_picture : null;
  for (const f of ADDRESS_FIELDS) out[f] = full ? p[f] : null;
  out.lat = full ? p.lat : 0;
  out.lng = full ? p.lng : 0;
  return out;
}

const orderPatientSchema = r.patientRef(
  z.object({
    id: r.int,
    id_users: r.int,
    ...Object.fromEntries(
      PATIENT_FIELDS.map((f) => {
        const t = f === 'nama_lengkap_pasien' ? r.str : f === 'tanggal_lahir' ? r.when : r.str.nullable();
        return [f, PATIENT_CLINICAL_FIELDS.has(f) ? r.clinical(t) : t];
      }),
    ),
    patient_picture: r.str.nullable(),
    ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, r.str.nullable()])),
    lat: r.num,
    lng: r.num,
  }),
  'id',
);

/** The list shape: the order with `details` (lines and extras), as orders/explore and search. */
export function orderListJSON(app: AppContext, o: Row) {
  return {
    ...orderFieldsJSON(o),
    details: [...(o.items ?? []).map((i: Row) => itemWithMenuJSON(app, i)), ...(o.extras ?? []).map((e: Row) => extraJSON(app, e))],
    grand_totals: o.grand_totals,
  };
}

export const orderListSchema = z.object({
  ...orderFields,
  details: z.array(z.union([itemWithMenuSchema, extraSchema])),
  grand_totals: r.int,
});

/** orders/:id and orders/init: with user, patient, lines, extras, totals by type and cart count. */
export function orderDetailJSON(app: AppContext, o: Row, countsCarts: number, user: AuthUser | undefined) {
  const itemsTotal = (o.items ?? []).filter((i: Row) => !i.is_canceled).reduce((s: number, i: Row) => s + i.price_total, 0);
  const extrasTotal = (o.extras ?? []).reduce((s: number, e: Row) => s + e.extra_prices * e.qty, 0);
  return {
    ...orderFieldsJSON(o),
    // the document's nested account: with num_of_login_attempts and the first department
    users: accountJSON(app, o.member),
    member: accountJSON(app, o.member),
    patients: patientJSON(o.patient, user),
    promo_discount_applied: o.promotion
      ? { id: o.promotion.id, display_codes: o.promotion.display_codes, type: o.promotion.type, value: o.promotion.value, id_menu: o.promotion.id_menu ?? 0, title: o.promotion.title }
      : null,
    order_items: (o.items ?? []).map((i: Row) => itemWithMenuJSON(app, i)),
    order_extras: (o.extras ?? []).map((e: Row) => extraJSON(app, e)),
    total_amount: [
      { total_amount: String(itemsTotal), types: 'E-commerce' },
      { total_amount: String(extrasTotal), types: 'Online consultations' },
    ],
    counts_carts: countsCarts,
    grand_totals: o.grand_totals,
  };
}

export const orderDetailSchema = z.object({
  ...orderFields,
  users: userWithDepartmentSchema,
  member: userWithDepartmentSchema,
  patients: orderPatientSchema,
  promo_discount_applied: z
    .object({ id: r.int, display_codes: r.str, type: z.enum(['POTONGAN', 'NOMINAL', 'PERSEN']), value: r.int, id_menu: r.int, title: r.str })
    .nullable(),
  order_items: z.array(itemWithMenuSchema),
  order_extras: z.array(extraSchema),
  total_amount: z.array(z.object({ total_amount: r.str, types: z.enum(['E-commerce', 'Online consultations']) })),
  counts_carts: r.int,
  grand_totals: r.int,
});

export function pointJSON(p: Row) {
  return {
    id: p.id,
    created: dt(p.created_at),
    id_users: p.id_users,
    id_orders: p.id_orders ?? 0,
    add_point: p.add_point,
    use_point: p.use_point,
    remaining_point: p.remaining_point,
    usecase: p.usecase,
    is_used: p.is_used,
    is_expired: p.is_expired,
    expired_date: formatDate(p.expired_date),
    order_code: p.order?.order_code ?? '',
    order_type: p.order?.order_type ?? '',
    order_date: dt(p.order?.order_date),
    username: p.user?.username ?? '',
    users_fullname: p.user?.users_fullname ?? '',
  };
}

export const pointSchema = z.object({
  id: r.int,
  created: stamp,
  id_users: r.int,
  id_orders: r.int,
  add_point: r.int,
  use_point: r.int,
  remaining_point: r.int,
  usecase: r.str,
  is_used: r.flag,
  is_expired: r.flag,
  expired_date: r.when,
  order_code: r.str,
  /** '' when the movement belongs to no order */
  order_type: z.enum(['E', 'C', '']),
  order_date: r.when,
  username: r.str,
  users_fullname: r.str,
});

export function pointDetailJSON(app: AppContext, p: Row) {
  return {
    id: p.id,
    users: accountJSON(app, p.user),
    orders: p.order ? orderJSON(p.order) : null,
    add_point: p.add_point,
    use_point: p.use_point,
    remaining_point: p.remaining_point,
    usecase: p.usecase,
    is_used: p.is_used,
    is_expired: p.is_expired,
    created: dt(p.created_at),
    expired_date: formatDate(p.expired_date),
  };
}

export const pointDetailSchema = z.object({
  id: r.int,
  users: userWithDepartmentSchema,
  orders: orderSchema.nullable(),
  ...pointSchema.pick({ add_point: true, use_point: true, remaining_point: true, usecase: true, is_used: true, is_expired: true, created: true, expired_date: true }).shape,
});

export function ratingJSON(x: Row) {
  return {
    id: x.id,
    id_orders: x.id_orders,
    id_users: x.id_users,
    ratings: x.ratings,
    rating_desc: x.rating_desc,
    order_code: x.order?.order_code ?? '',
    users_fullname: x.user?.users_fullname ?? '',
    created: dt(x.created_at),
    modified: dt(x.updated_at),
  };
}

export const ratingSchema = z.object({
  id: r.int,
  id_orders: r.int,
  id_users: r.int,
  ratings: r.int,
  rating_desc: r.str,
  order_code: r.str,
  users_fullname: r.str,
  created: stamp,
  modified: stamp,
});

/** What commerce adds to `users/data` (see routes.ts): for the identity module's schema. */
export const userDataSectionShape = {
  total_point: r.int,
  latest_orders: z.array(orderListSchema),
  counts_carts: r.int,
};
