import type { AppContext } from '../../app-context.js';
import type { AuthUser } from '../../http/auth-user.js';
import { isStaff } from '../../http/auth-user.js';
import { conflict, notFound, unprocessable } from '../../http/errors.js';
import { emit } from '../../lib/events.js';
import { createSnapTransaction, type SnapItem } from '../../adapters/midtrans.js';
import { effectivePrice } from '../catalogue/pricing.js';
import { assertCourierStillValid } from '../shipping/shipping.service.js';
import { creditPoints, pointBalance } from './points.service.js';
import { consumeReservations, lockOrder, nextOrderCode, releaseReservations, reserveForCheckout } from './reservations.js';
import { promotionDiscount, recomputeOrderTotals, type Tx } from './totals.js';

export const CART = 'SHOPPING CARTS';

/** Orders the caller may see: staff all, everyone else their own. */
export const orderScope = (user: AuthUser | undefined) => (isStaff(user) ? {} : { id_member: user?.id ?? -1 });

/** Loads (and locks) an order the caller may act on; someone else's order is a 404. */
export async function loadOwnOrder(tx: Tx, user: AuthUser | undefined, orderId: number, lock = true) {
  if (lock) await lockOrder(tx, orderId);
  const order = await tx.order.findFirst({ where: { id: orderId, ...orderScope(user) } });
  if (!order) throw notFound(`orders ${orderId} not found`);
  return order;
}

export async function loadCart(tx: Tx, user: AuthUser | undefined, orderId: number, type?: 'E' | 'C') {
  const order = await loadOwnOrder(tx, user, orderId);
  if (order.status !== CART) throw conflict(`Order ${orderId} is not a shopping cart (status ${order.status})`);
  if (type && order.order_type !== type) throw unprocessable(`Order ${orderId} is not a${type === 'E' ? 'n e-commerce' : ' consultation'} cart`);
  return order;
}

/** orders/init: the open cart for (customer, patient, type), created when missing. */
export async function initCart(app: AppContext, user: AuthUser, body: { id_users?: number; id_patients: number; order_type: 'E' | 'C' }) {
  const memberId = isStaff(user) && body.id_users ? body.id_users : user.id;
  const member = await app.db.user.findFirst({ where: { id: memberId, deleted_at: null } });
  if (!member) throw notFound(`users ${memberId} not found`);
  const patient = await app.db.patient.findFirst({ where: { id: body.id_patients, deleted_at: null, ...(isStaff(user) ? {} : { id_users: user.id }) } });
  if (!patient) throw notFound(`patients ${body.id_patients} not found`);
  const key = { id_member: memberId, id_patients: patient.id, order_type: body.order_type, cart_open: 1 };
  const existing = await app.db.order.findFirst({ where: key });
  if (existing) return existing.id;
  try {
    const created = await app.db.order.create({
      data: {
        ...key,
        nama_pemesan: member.users_fullname,
        notelp_pemesan: member.users_phone ?? '',
        email_pemesan: member.users_email ?? '',
        alamat_pemesan: member.users_address,
        alamat_kirim: patient.alamat_domisili || member.users_address,
        nama_penerima: patient.nama_lengkap_pasien || member.users_fullname,
        kode_provinsi: patient.kode_provinsi ?? '',
        kode_kota: patient.kode_kota ?? '',
        kode_kecamatan: patient.kode_kecamatan ?? '',
        lat_kirim: patient.lat ?? 0,
        lng_kirim: patient.lng ?? 0,
        order_date: app.now(),
      },
    });
    return created.id;
  } catch (err: any) {
    // a concurrent init created it first (unique open cart): answer that one
    if (err?.code === 'P2002') return (await app.db.order.findFirstOrThrow({ where: key })).id;
    throw err;
  }
}

export type QtyOp = '+' | '-' | number;
/** The document's qty: `+` adds one, `-` removes one, 1..999 replaces, 0 removes the line. */
export function applyQty(current: number, op: QtyOp) {
  if (op === '+') return Math.min(current + 1, 999);
  if (op === '-') return Math.max(current - 1, 0);
  return op;
}

/** e_add_to_carts: server prices; prescription-only products are refused (they come through a prescription). */
export async function addProducts(app: AppContext, tx: Tx, user: AuthUser, orderId: number, lines: { id_menu: number; qty: QtyOp; catatan_menu?: string }[]) {
  await loadCart(tx, user, orderId, 'E');
  const ids = [...new Set(lines.map((l) => l.id_menu))];
  // one connection per transaction: queries in sequence
  const menus = await tx.menu.findMany({ where: { id: { in: ids }, deleted_at: null } });
  const existing = await tx.orderItem.findMany({ where: { id_order: orderId, id_menu: { in: ids } } });
  const now = app.now();
  const touched: number[] = [];
  for (const line of lines) {
    const menu = menus.find((m) => m.id === line.id_menu);
    if (!menu) throw notFound(`menus ${line.id_menu} not found`);
    if (menu.is_resep_required === 1) throw unprocessable(`${menu.nama_menus} needs a prescription and can only be added through a doctor's prescription`);
    const current = existing.find((i) => i.id_menu === menu.id);
    const qty = applyQty(current?.qty ?? 0, line.qty);
    if (qty <= 0) {
      if (current) await tx.orderItem.delete({ where: { id: current.id } });
      continue;
    }
    const price = effectivePrice(menu, now);
    const data = { qty, price, price_total: price * qty, satuan: menu.satuan, nama_menus: menu.nama_menus, ...(line.catatan_menu !== undefined ? { catatan_menu: line.catatan_menu } : {}) };
    const row = current
      ? await tx.orderItem.update({ where: { id: current.id }, data })
      : await tx.orderItem.create({ data: { id_order: orderId, id_menu: menu.id, order_datetime: now, ...data } });
    if (current) current.qty = qty;
    else existing.push(row);
    touched.push(row.id);
  }
  await recomputeOrderTotals(tx, orderId);
  return touched;
}

/** c_add_to_carts: the doctor's custom_price, never the client's. */
export async function addConsultations(tx: Tx, user: AuthUser, orderId: number, lines: { id_doctors: number; qty: QtyOp; extra_notes?: string }[]) {
  await loadCart(tx, user, orderId, 'C');
  const ids = [...new Set(lines.map((l) => l.id_doctors))];
  const doctors = await tx.doctor.findMany({ where: { id: { in: ids }, deleted_at: null } });
  const existing = await tx.orderExtra.findMany({ where: { id_orders: orderId, id_doctors: { in: ids } } });
  const touched: number[] = [];
  for (const line of lines) {
    const doctor = doctors.find((d) => d.id === line.id_doctors);
    if (!doctor) throw notFound(`doctors ${line.id_doctors} not found`);
    if (doctor.is_active !== 1) throw unprocessable('This doctor is not available for consultations');
    const current = existing.find((e) => e.id_doctors === doctor.id);
    const qty = applyQty(current?.qty ?? 0, line.qty);
    if (qty <= 0) {
      if (current) await tx.orderExtra.delete({ where: { id: current.id } });
      continue;
    }
    const data = { qty, extra_prices: doctor.custom_price, ...(line.extra_notes !== undefined ? { extra_notes: line.extra_notes } : {}) };
    const row = current
      ? await tx.orderExtra.update({ where: { id: current.id }, data })
      : await tx.orderExtra.create({ data: { id_orders: orderId, id_doctors: doctor.id, item: 'Online consultation', ...data } });
    if (current) current.qty = qty;
    else existing.push(row);
    touched.push(row.id);
  }
  await recomputeOrderTotals(tx, orderId);
  return touched;
}

export async function applyPoints(tx: Tx, user: AuthUser, orderId: number, points: number) {
  const order = await loadCart(tx, user, orderId);
  const balance = await pointBalance(tx, order.id_member);
  if (points > balance) throw unprocessable(`Not enough points (balance ${balance})`);
  const payable = order.total_price - order.total_discount + order.total_pajak + order.courier_price;
  if (points > payable) throw unprocessable(`At most ${payable} points can be used on this order`);
  await tx.order.update({ where: { id: orderId }, data: { poin_used: points } });
  return recomputeOrderTotals(tx, orderId);
}

export async function applyPromotion(app: AppContext, tx: Tx, user: AuthUser, orderId: number, code: string) {
  const order = await loadCart(tx, user, orderId);
  const now = app.now();
  const promo = await tx.promotion.findFirst({ where: { display_codes_key: code.trim().toUpperCase(), deleted_at: null } });
  if (!promo) throw notFound('Unknown promotion code');
  if (promo.start_datetime > now || promo.expired_datetime <= now) throw unprocessable('This promotion code is not valid now');
  if (promo.quota_reserved + promo.quota_used >= promo.quota) throw unprocessable('This promotion code has been used up');
  const uses = await tx.promotionUsage.count({ where: { id_promotions: promo.id, id_users: order.id_member, status: { in: ['RESERVED', 'USED'] } } });
  if (uses >= promo.max_uses_per_customer) throw unprocessable('You have already used this promotion code');
  const items = await tx.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, select: { id_menu: true, price_total: true } });
  if (promo.id_menu && !items.some((i) => i.id_menu === promo.id_menu)) throw unprocessable('This promotion code applies to a product that is not in the cart');
  if (promotionDiscount(promo, items, order.total_price) <= 0) throw unprocessable('This promotion code gives no discount on this cart');
  await tx.order.update({ where: { id: orderId }, data: { id_promo_discount_applied: promo.id } });
  await recomputeOrderTotals(tx, orderId);
  return promo;
}

const clip = (s: string, n = 50) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

/** Snap item_details: lines, extras, tax, shipping, discount and points, summing exactly to grand_totals. */
function snapItems(order: any): SnapItem[] {
  const items: SnapItem[] = [
    ...order.items.filter((i: any) => !i.is_canceled).map((i: any) => ({ id: `menu-${i.id_menu}`, price: i.price, quantity: i.qty, name: clip(i.nama_menus || `Product ${i.id_menu}`) })),
    ...order.extras.map((e: any) => ({ id: `consult-${e.id_doctors ?? e.id}`, price: e.extra_prices, quantity: e.qty, name: clip(`${e.item}${e.doctor?.user ? ' - ' + e.doctor.user.users_fullname : ''}`) })),
  ];
  if (order.total_pajak) items.push({ id: 'tax', price: order.total_pajak, quantity: 1, name: 'Tax' });
  if (order.courier_price) items.push({ id: 'shipping', price: order.courier_price, quantity: 1, name: clip(`Shipping ${order.courier} ${order.courier_service}`.trim()) });
  if (order.total_discount) items.push({ id: 'discount', price: -order.total_discount, quantity: 1, name: 'Discount' });
  if (order.poin_used) items.push({ id: 'points', price: -order.poin_used, quantity: 1, name: 'Points' });
  return items;
}

/**
 * checkout: validate the cart, re-price it, reserve stock/quota/points, assign the order code and a
 * payment attempt (one transaction); then create the Snap transaction. If Midtrans fails the
 * reservation is rolled back to the cart and the client gets 503.
 */
export async function checkout(app: AppContext, user: AuthUser, orderId: number, body: { alamat_kirim?: string; nama_penerima?: string; notelp_pemesan?: string; catatan_order?: string }) {
  const prepared = await app.db.$transaction(async (tx) => {
    const order = await loadCart(tx, user, orderId);
    const overrides = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(overrides).length) await tx.order.update({ where: { id: orderId }, data: overrides });
    // re-price lines now: promotion prices may have ended since they were added
    const now = app.now();
    const items = await tx.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, include: { menu: true } });
    const extras = await tx.orderExtra.findMany({ where: { id_orders: orderId }, include: { doctor: true } });
    if (order.order_type === 'E' && items.length === 0) throw unprocessable('The cart is empty');
    if (order.order_type === 'C' && extras.length === 0) throw unprocessable('Choose a doctor for the consultation first');
    for (const i of items) {
      if (i.menu.deleted_at) throw unprocessable(`${i.nama_menus} is no longer sold; remove it from the cart`);
      const price = effectivePrice(i.menu, now);
      if (price !== i.price) await tx.orderItem.update({ where: { id: i.id }, data: { price, price_total: price * i.qty } });
    }
    for (const e of extras) {
      if (!e.doctor || e.doctor.deleted_at || e.doctor.is_active !== 1) throw unprocessable('The chosen doctor is no longer available');
      if (e.extra_prices !== e.doctor.custom_price) await tx.orderExtra.update({ where: { id: e.id }, data: { extra_prices: e.doctor.custom_price } });
    }
    if (order.order_type === 'E') {
      const o = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
      if (!o.alamat_kirim.trim()) throw unprocessable('Set the delivery address first');
      if (!o.is_courier || !o.courier) throw unprocessable('Choose a courier first');
      // the shipping module's rule: the chosen courier's price still matches a quote for this cart and address
      await assertCourierStillValid(tx, o);
    }
    const totals = await recomputeOrderTotals(tx, orderId);
    const fresh = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
    if (fresh.id_promo_discount_applied && totals.total_discount === 0) throw unprocessable('The applied promotion gives no discount on this cart; remove it');
    await reserveForCheckout(app, tx, fresh);
    const code = fresh.order_code ?? (await nextOrderCode(app, tx, fresh.order_type));
    const attempt = fresh.payment_attempts + 1;
    const midtransOrderId = attempt === 1 ? code : `${code}-${attempt}`;
    const expiresAt = new Date(now.getTime() + app.config.PAYMENT_EXPIRY_MINUTES * 60_000);
    await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: 'SUPERSEDED' } });
    await tx.orderPayment.create({ data: { id_orders: orderId, attempt, midtrans_order_id: midtransOrderId, gross_amount: totals.grand_totals, expires_at: expiresAt } });
    const updated = await tx.order.update({
      where: { id: orderId },
      data: { status: 'CHECKOUT', cart_open: null, order_code: code, payment_attempts: attempt, checkout_datetime: now, expires_at: expiresAt },
      include: { items: true, extras: { include: { doctor: { include: { user: true } } } } },
    });
    await emit(app, 'order.status_changed', { orderId, status: 'CHECKOUT' }, tx);
    return { order: updated, midtransOrderId };
  });
  const { order, midtransOrderId } = prepared;
  if (order.grand_totals <= 0) {
    // nothing to pay (points/discount cover it): paid at once, no Snap transaction
    await app.db.$transaction(async (tx) => {
      await lockOrder(tx, orderId);
      await markPaid(app, tx, orderId, 'points', null);
    });
    return { token: '', redirect_url: '' };
  }
  try {
    const snap = await createSnapTransaction(app, {
      orderId: midtransOrderId,
      grossAmount: order.grand_totals,
      items: snapItems(order),
      customer: { first_name: clip(order.nama_pemesan), email: order.email_pemesan, phone: order.notelp_pemesan },
      expiryMinutes: app.config.PAYMENT_EXPIRY_MINUTES,
    });
    await app.db.$transaction([
      app.db.orderPayment.update({ where: { midtrans_order_id: midtransOrderId }, data: { snap_token: snap.token, redirect_url: snap.redirect_url } }),
      app.db.order.update({ where: { id: orderId }, data: { token: snap.token, payment_redirect_url: snap.redirect_url } }),
    ]);
    return snap;
  } catch (err) {
    await app.db.$transaction(async (tx) => {
      await lockOrder(tx, orderId);
      await backToCart(app, tx, orderId, 'FAILED');
    });
    throw err;
  }
}

/** CHECKOUT (unpaid) → cart again: reservations released, the attempt superseded. */
async function backToCart(app: AppContext, tx: Tx, orderId: number, attemptStatus = 'SUPERSEDED') {
  const { count } = await tx.order.updateMany({
    where: { id: orderId, status: 'CHECKOUT', is_paid: 0 },
    data: { status: CART, cart_open: 1, token: '', payment_redirect_url: '', expires_at: null },
  });
  if (count === 0) throw conflict('Only an unpaid checkout can go back to the cart');
  await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: attemptStatus } });
  await releaseReservations(app, tx, orderId);
  await tx.order.update({ where: { id: orderId }, data: { reservation_status: 'NONE' } });
  await emit(app, 'order.status_changed', { orderId, status: CART }, tx);
}

export async function uncheckout(app: AppContext, user: AuthUser, orderId: number) {
  await app.db.$transaction(async (tx) => {
    const order = await loadOwnOrder(tx, user, orderId);
    if (order.status !== 'CHECKOUT' || order.is_paid) throw conflict(`Order ${orderId} cannot go back to the cart (status ${order.status})`);
    try {
      await backToCart(app, tx, orderId);
    } catch (err: any) {
      if (err?.code === 'P2002') throw conflict('Another cart is already open for this patient and order type');
      throw err;
    }
  });
}

/** CHECKOUT → PAID (webhook settlement, manual payment). Returns false when it was not CHECKOUT. */
export async function markPaid(app: AppContext, tx: Tx, orderId: number, channel: string, admin: { id_admin?: number; pic_admin?: string } | null) {
  const now = app.now();
  const { count } = await tx.order.updateMany({
    where: { id: orderId, status: 'CHECKOUT', is_paid: 0 },
    data: {
      status: 'PAID',
      is_paid: 1,
      paid_date: now,
      pay_channel: channel,
      expires_at: null,
      ...(admin ? { id_admin: admin.id_admin ?? null, pic_admin: admin.pic_admin ?? '' } : {}),
    },
  });
  if (count === 0) return false;
  await consumeReservations(tx, orderId);
  const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
  const earned = Math.floor((order.grand_totals * app.config.POINTS_EARN_PERCENT) / 100);
  if (earned > 0) {
    await creditPoints(app, tx, order.id_member, earned, 'webhook-midtrans', orderId, orderId);
  }
  await emit(app, 'order.paid', { orderId }, tx);
  await emit(app, 'order.status_changed', { orderId, status: 'PAID' }, tx);
  return true;
}

/** Cancels an unpaid checkout or a paid order that has not shipped; everything held is given back. */
export async function cancelOrder(app: AppContext, tx: Tx, orderId: number, info: { pic?: string; reason?: string; id_admin?: number | null }) {
  const { count } = await tx.order.updateMany({
    where: { id: orderId, status: { in: ['CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING'] } },
    data: {
      status: 'CANCEL',
      is_canceled: 1,
      cancel_datetime: app.now(),
      cancel_pic: info.pic ?? '',
      cancel_reason: info.reason ?? '',
      expires_at: null,
      ...(info.id_admin !== undefined ? { id_admin: info.id_admin } : {}),
    },
  });
  if (count === 0) return false;
  await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: 'CANCELLED' } });
  await releaseReservations(app, tx, orderId);
  await emit(app, 'order.cancelled', { orderId, reason: info.reason }, tx);
  await emit(app, 'order.status_changed', { orderId, status: 'CANCEL' }, tx);
  return true;
}
