import type { AppContext } from '../../app-context.js';
import { formatDate, formatDateTime } from '../../lib/dates.js';
import { menuBaseJSON } from '../catalogue/serializers.js';
import { userJSON } from '../identity/serializers.js';

type Row = any;
const dt = formatDateTime;

/** The order's own fields as the document's lists show them (no relations). */
export function orderJSON(o: Row) {
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
    grand_totals: o.grand_totals,
  };
}

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

/** An order line with the product's fields, as inside an order. */
export function itemWithMenuJSON(app: AppContext, i: Row) {
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

function doctorJSON(app: AppContext, d: Row) {
  if (!d) return null;
  return {
    id: d.id,
    id_users: d.id_users,
    id_services: d.id_services ?? 0,
    custom_price: d.custom_price,
    doctor_description: d.doctor_description,
    availability_description: d.availability_description,
    is_active: d.is_active,
    short_description: d.short_description,
    users_fullname: d.user?.users_fullname ?? '',
    services_name: d.service?.services_name ?? '',
    users_picture: d.user?.users_picture ?? '',
    users_picture_url: d.user?.users_picture ? app.storage.publicUrl('users', d.user.users_picture) : null,
  };
}

export function extraJSON(app: AppContext, e: Row) {
  return {
    id: e.id,
    id_orders: e.id_orders,
    items: { item: e.item, id_doctors: e.id_doctors ?? 0, ...(e.doctor ? { doctors: doctorJSON(app, e.doctor) } : {}) },
    qty: e.qty,
    extra_notes: e.extra_notes,
    extra_prices: e.extra_prices,
  };
}

export function extraDetailJSON(app: AppContext, e: Row) {
  const { id, ...rest } = extraJSON(app, e);
  return { id, orders: orderJSON(e.order), ...rest };
}

/** A patient's stored fields (dates formatted); the clinic module owns the full serializer. */
export function patientJSON(p: Row) {
  if (!p) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === 'created_at' || k === 'updated_at' || k === 'deleted_at' || (v && typeof v === 'object' && !(v instanceof Date))) continue;
    out[k] = v instanceof Date ? (k === 'tanggal_lahir' ? formatDate(v) : formatDateTime(v)) : v;
  }
  out.id_users = p.id_users ?? 0;
  return out;
}

/** The list shape: the order with `details` (lines and extras), as orders/explore and search. */
export function orderListJSON(app: AppContext, o: Row) {
  const { grand_totals, ...rest } = orderJSON(o);
  return {
    ...rest,
    details: [...(o.items ?? []).map((i: Row) => itemWithMenuJSON(app, i)), ...(o.extras ?? []).map((e: Row) => extraJSON(app, e))],
    grand_totals,
  };
}

/** orders/:id and orders/init: with user, patient, lines, extras, totals by type and cart count. */
export function orderDetailJSON(app: AppContext, o: Row, countsCarts: number) {
  const itemsTotal = (o.items ?? []).filter((i: Row) => !i.is_canceled).reduce((s: number, i: Row) => s + i.price_total, 0);
  const extrasTotal = (o.extras ?? []).reduce((s: number, e: Row) => s + e.extra_prices * e.qty, 0);
  const { grand_totals, ...rest } = orderJSON(o);
  return {
    ...rest,
    users: o.member ? userJSON(app, o.member) : null,
    member: o.member ? userJSON(app, o.member) : null,
    patients: patientJSON(o.patient),
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
    grand_totals,
  };
}

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

export function pointDetailJSON(app: AppContext, p: Row) {
  return {
    id: p.id,
    users: p.user ? userJSON(app, p.user) : null,
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

export function ratingJSON(r: Row) {
  return {
    id: r.id,
    id_orders: r.id_orders,
    id_users: r.id_users,
    ratings: r.ratings,
    rating_desc: r.rating_desc,
    order_code: r.order?.order_code ?? '',
    users_fullname: r.user?.users_fullname ?? '',
    created: dt(r.created_at),
    modified: dt(r.updated_at),
  };
}
