import type { AppContext } from '../../app-context.js';
import { sqlRows, type BeforeCommit, type Prisma, type Tx } from '../../db/client.js';
import type { AuthUser } from '../../http/auth-user.js';
import { isStaff } from '../../http/auth-user.js';
import { conflict, notFound, unprocessable } from '../../http/errors.js';
import { emit } from '../../lib/events.js';
import { createSnapTransaction, type SnapItem } from '../../adapters/midtrans.js';
import { effectivePrice } from '../catalogue/pricing.js';
import { consultationPrice, repriceCart } from './prices.js';
import { holdPatient, lockPatient } from '../patients/access.js';
import { assertCourierStillValid, weightOf } from '../shipping/shipping.service.js';
import { creditPoints, pointBalance, pointsEarned } from './points.service.js';
import { assignOrderCode, consumeReservations, holdUnpaidOrders, lockOrder, releaseReservations, reserveForCheckout } from './reservations.js';
import { computeTotals, promotionDiscount, recomputeOrderTotals } from './totals.js';
import { loadOwnOrder, type Order } from './order-access.js';
import { holdLiveStaff, holdLiveUser } from '../identity/account-holds.js';

export const CART = 'SHOPPING CARTS';

export async function loadCart(tx: Tx, user: AuthUser | undefined, orderId: number, type?: 'E' | 'C') {
  const order = await loadOwnOrder(tx, user, orderId);
  if (order.status !== CART) throw conflict(`Order ${orderId} is not a shopping cart (status ${order.status})`);
  if (type && order.order_type !== type) throw unprocessable(`Order ${orderId} is not a${type === 'E' ? 'n e-commerce' : ' consultation'} cart`);
  return order;
}

/**
 * A cart is its member's for its patient: it grows, takes a discount and is checked out only while
 * the member still manages the live patient (orders/init's rule), whoever acts on it, staff
 * included; a consultation cart's patient becomes its paid thread's. Staff may have moved the patient
 * to another account (users/patients/link, unlink) or it was deleted since the cart was opened: 422,
 * the cart can then only be emptied or deleted. Decided with the patient's row held (holdPatient)
 * until the cart's transaction ends: a move at the same moment commits first and is seen here, or
 * waits for the cart. Called after the cart's own lock, the order every cart action takes them in.
 */
async function cartPatientRefusal(tx: Tx, order: { id_member: number; id_patients: number }) {
  await holdPatient(tx, order.id_patients);
  if (await tx.patient.count({ where: { id: order.id_patients, id_users: order.id_member, deleted_at: null } })) return null;
  return unprocessable("The cart's patient is no longer one its customer manages (moved to another account or deleted): the cart can only be emptied or deleted", [
    { field: 'id_patients', message: "not the customer's patient" },
  ]);
}
export async function assertCartPatient(tx: Tx, order: { id_member: number; id_patients: number }) {
  const refusal = await cartPatientRefusal(tx, order);
  if (refusal) throw refusal;
}


/**
 * One transaction on an order the caller may act on, loaded (and locked) first; `beforeCommit`
 * runs last in it, so that what it writes commits with the change or not at all.
 */
export function onOwnOrder<T>(app: AppContext, user: AuthUser | undefined, orderId: number, run: (tx: Tx, order: Order) => Promise<T>, beforeCommit?: BeforeCommit) {
  return app.db.$transaction(async (tx) => {
    const result = await run(tx, await loadOwnOrder(tx, user, orderId));
    await beforeCommit?.(tx);
    return result;
  });
}

/**
 * One transaction on the caller's cart (of the given type), loaded (and locked) first, its lines
 * then brought to today's prices (repriceCart: what the customer is shown and checkout charges);
 * `beforeCommit` last in it (onOwnOrder).
 */
function onCart<T>(app: AppContext, user: AuthUser | undefined, orderId: number, type: 'E' | 'C' | undefined, run: (tx: Tx, order: Order) => Promise<T>, beforeCommit?: BeforeCommit) {
  return app.db.$transaction(async (tx) => {
    const cart = await loadCart(tx, user, orderId, type);
    await repriceCart(app, tx, orderId);
    const result = await run(tx, cart);
    await beforeCommit?.(tx);
    return result;
  });
}

/**
 * orders delete: only a shopping cart may go, decided under the order's lock: a checkout committing
 * meanwhile (stock, promotion quota and points reserved) makes it delete nothing.
 * A cart checked out before (payment_attempts > 0: uncheckout, a failed payment start, uncancel, or
 * paid → unpaid → uncheckout; a checkout paid at once by points has no attempt row but counts) is
 * closed instead, as a cancelled order: its Midtrans attempts stay, since an old Snap page may still
 * be paid (that money then meets its attempt: paid_not_current, for staff to refund), and a
 * consultation's thread keeps its order (not reopened without a payment). A cart holds nothing, so
 * nothing is given back; it leaves the open-cart key, and `uncancel` does not restore it.
 */
export async function deleteCart(app: AppContext, tx: Tx, user: AuthUser | undefined, order: { id: number; status: string }, reason?: string) {
  if (order.status !== CART) throw conflict('Only a shopping cart can be deleted');
  await lockOrder(tx, order.id);
  const locked = await tx.order.findUnique({ where: { id: order.id }, select: { status: true, payment_attempts: true } });
  if (locked?.status !== CART) throw conflict('Only a shopping cart can be deleted (it is being checked out)');
  if (locked.payment_attempts === 0) {
    await tx.order.delete({ where: { id: order.id } });
    return;
  }
  await tx.order.update({
    where: { id: order.id },
    data: {
      status: 'CANCEL',
      cart_open: null,
      is_canceled: 1,
      cancel_datetime: app.now(),
      cancel_pic: user?.username ?? '',
      cancel_reason: reason ?? `cart deleted by ${isStaff(user) ? 'staff' : 'the customer'}`,
      // never checked out as it now is: what tells uncancel it was a deleted cart
      checkout_datetime: null,
    },
  });
  // not order.cancelled: the customer is not told of their own delete
  await emit(app, 'order.status_changed', { orderId: order.id, status: 'CANCEL' }, tx);
}

/**
 * What a new cart holds of its member (the orderer) and its patient (the delivery address): every
 * place that opens a cart (orders/init, menu_reedems/add_to_carts) fills it the same way.
 */
export function newCartFields(member: Prisma.UserGetPayload<object>, patient: Prisma.PatientGetPayload<object>) {
  return {
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
  };
}

/**
 * orders/init: the open cart for (customer, patient, type), created when missing. The patient is
 * decided under its row lock, in the cart's transaction: staff moving it to another account
 * (users/patients/link, unlink) meanwhile either commits first and is seen here, or waits for the cart.
 */
export async function initCart(app: AppContext, user: AuthUser, body: { id_users?: number; id_patients: number; order_type: 'E' | 'C' }, beforeCommit?: (tx: Tx, orderId: number) => Promise<void>) {
  const memberId = isStaff(user) && body.id_users ? body.id_users : user.id;
  const key = { id_member: memberId, id_patients: body.id_patients, order_type: body.order_type, cart_open: 1 };
  try {
    return await app.db.$transaction(async (tx) => {
      // held until the cart commits: the account's deletion (which removes its open carts) comes
      // first and is seen here, or waits for this cart and removes it too
      const member = (await holdLiveUser(tx, memberId)) && (await tx.user.findFirst({ where: { id: memberId, deleted_at: null } }));
      if (!member) throw notFound(`users ${memberId} not found`);
      await lockPatient(tx, body.id_patients);
      const patient = await tx.patient.findFirst({ where: { id: body.id_patients, deleted_at: null, ...(isStaff(user) ? {} : { id_users: user.id }) } });
      if (!patient) throw notFound(`patients ${body.id_patients} not found`);
      // The cart's patient becomes the paid consultation's thread patient, whose record the member then
      // reads: it must be one the member manages, also when staff open the cart (as threads/create).
      if (patient.id_users !== memberId) {
        throw unprocessable('The patient must be one the customer (id_users) manages', [{ field: 'id_patients', message: "not the customer's patient" }]);
      }
      const existing = await tx.order.findFirst({ where: key });
      if (existing) {
        await beforeCommit?.(tx, existing.id);
        return existing.id;
      }
      const created = await tx.order.create({ data: { ...key, ...newCartFields(member, patient), order_date: app.now() } });
      await beforeCommit?.(tx, created.id);
      return created.id;
    });
  } catch (err: any) {
    // another open cart of that key was made meanwhile (unique open cart): answer that one
    if (err?.code === 'P2002') return (await app.db.order.findFirstOrThrow({ where: key })).id;
    throw err;
  }
}

export type QtyOp = '+' | '-' | number;
/** The most a cart line holds (every qty input is 1..999). */
export const MAX_LINE_QTY = 999;
/** The document's qty: `+` adds one, `-` removes one, 1..999 replaces, 0 removes the line. */
function applyQty(current: number, op: QtyOp) {
  if (op === '+') return Math.min(current + 1, MAX_LINE_QTY);
  if (op === '-') return Math.max(current - 1, 0);
  return op;
}

/**
 * One kind of cart line, described by data: products (order_items, e-commerce carts) or doctor
 * consultations (order_extras, consultation carts). Each line of a request names its product/doctor.
 */
type LineKind<L extends { qty: QtyOp }, T extends { id: number }, R extends { id: number; qty: number }> = {
  cart: 'E' | 'C';
  /** the product/doctor a request line names */
  target: (line: L) => number;
  /** the products/doctors named, deleted ones included (a line of one may still be lowered or removed) */
  targets: (tx: Tx, ids: number[]) => Promise<T[]>;
  missing: (id: number) => Error;
  /**
   * refuses a product/doctor that may not be added: called when the line is created or grows only,
   * so what a cart holds can always be lowered or removed
   */
  check: (target: T, cart: Order) => void;
  /** the cart's lines of those products/doctors, and the product/doctor of one */
  lines: (tx: Tx, orderId: number, ids: number[]) => Promise<R[]>;
  of: (row: R) => number | null;
  remove: (tx: Tx, id: number) => Promise<unknown>;
  /** updates `current` or creates the line, with the server's price */
  save: (tx: Tx, c: { orderId: number; line: L; target: T; current: R | undefined; qty: number; now: Date }) => Promise<R>;
  /** checks the cart's lines once the request's ops are applied (a refusal rolls them all back) */
  validate?: (tx: Tx, orderId: number) => Promise<void>;
};

/**
 * Applies the request's qty ops to the caller's cart (`+` `-` 1..999, 0 removes). Returns the lines
 * it saved as they were written (ordered by id), the products/doctors they are of, and the order
 * with its new totals: what the answer shows, without reading it again.
 */
function addLines<L extends { qty: QtyOp }, T extends { id: number }, R extends { id: number; qty: number }>(
  app: AppContext,
  user: AuthUser,
  orderId: number,
  kind: LineKind<L, T, R>,
  lines: L[],
  beforeCommit?: BeforeCommit,
) {
  return onCart(app, user, orderId, kind.cart, async (tx, cart) => {
    // refused when a line would be created or grow, as a product's checks: lowering and removing stay
    const patientRefusal = await cartPatientRefusal(tx, cart);
    const ids = [...new Set(lines.map(kind.target))];
    // one connection per transaction: queries in sequence
    const targets = await kind.targets(tx, ids);
    const existing = await kind.lines(tx, orderId, ids);
    const now = app.now();
    const saved = new Map<number, R>();
    for (const line of lines) {
      const target = targets.find((t) => t.id === kind.target(line));
      if (!target) throw kind.missing(kind.target(line));
      const current = existing.find((r) => kind.of(r) === target.id);
      const qty = applyQty(current?.qty ?? 0, line.qty);
      if (qty > (current?.qty ?? 0)) {
        if (patientRefusal) throw patientRefusal;
        kind.check(target, cart);
      }
      if (qty <= 0) {
        if (current) {
          await kind.remove(tx, current.id);
          saved.delete(current.id);
          // a later op on the same product/doctor in this request starts a new line
          existing.splice(existing.indexOf(current), 1);
        }
        continue;
      }
      const row = await kind.save(tx, { orderId, line, target, current, qty, now });
      if (current) current.qty = qty;
      else existing.push(row);
      saved.set(row.id, row);
    }
    await kind.validate?.(tx, orderId);
    const order = await recomputeOrderTotals(tx, orderId);
    return { rows: [...saved.values()].sort((a, b) => a.id - b.id), targets, order };
  }, beforeCommit);
}

type ProductLine = { id_menu: number; qty: QtyOp; catatan_menu?: string };
/** e_add_to_carts: server prices; prescription-only products are refused (they come through a prescription). */
const PRODUCTS: LineKind<ProductLine, Prisma.MenuGetPayload<object>, Prisma.OrderItemGetPayload<object>> = {
  cart: 'E',
  target: (l) => l.id_menu,
  targets: (tx, ids) => tx.menu.findMany({ where: { id: { in: ids } } }),
  missing: (id) => notFound(`menus ${id} not found`),
  check: (menu) => {
    if (menu.deleted_at) throw notFound(`menus ${menu.id} not found`);
    if (menu.is_resep_required === 1) throw unprocessable(`${menu.nama_menus} needs a prescription and can only be added through a doctor's prescription`);
  },
  lines: (tx, orderId, ids) => tx.orderItem.findMany({ where: { id_order: orderId, id_menu: { in: ids } } }),
  of: (item) => item.id_menu,
  remove: (tx, id) => tx.orderItem.delete({ where: { id } }),
  save: (tx, { orderId, line, target: menu, current, qty, now }) => {
    const price = effectivePrice(menu, now);
    const data = { qty, price, price_total: price * qty, satuan: menu.satuan, nama_menus: menu.nama_menus, ...(line.catatan_menu !== undefined ? { catatan_menu: line.catatan_menu } : {}) };
    return current
      ? tx.orderItem.update({ where: { id: current.id }, data })
      : tx.orderItem.create({ data: { id_order: orderId, id_menu: menu.id, order_datetime: now, ...data } });
  },
};
export const addProducts = (app: AppContext, user: AuthUser, orderId: number, lines: ProductLine[], beforeCommit?: BeforeCommit) =>
  addLines(app, user, orderId, PRODUCTS, lines, beforeCommit);

/**
 * A doctor whose price comes to 0 has none set (the document knows no free consultation: 0 is the
 * unset default that falls back to the service's price); sold at 0, the checkout would be paid at
 * once and open a paid consultation for nothing. Points or a promotion making it free are discounts
 * on a price, not this.
 */
function unpricedConsultation(doctor: { id: number }) {
  return unprocessable(`Doctor ${doctor.id} has no consultation price set (custom_price or the service's price): the consultation cannot be ordered until staff set one`, [
    { field: 'id_doctors', message: 'no consultation price set' },
  ]);
}

/**
 * The thread a consultation's payment opens goes from the customer to the doctor's account: a doctor
 * consulting themselves would be both sides of it (threads/create refuses that), and would prescribe
 * to themselves there.
 */
function consultingOneself() {
  return unprocessable('A doctor cannot order a consultation with themselves: choose another doctor', [{ field: 'id_doctors', message: 'the customer’s own doctor profile' }]);
}

/**
 * A consultation order is one consultation: one doctor (order_extras line), qty 1. Its payment opens
 * one thread (unique per order) with that doctor for one window; a second doctor or a qty above 1
 * would be paid for and never given.
 */
export function assertOneConsultation(extras: { qty: number }[]) {
  if (extras.length > 1) throw unprocessable('A consultation order is with one doctor: remove the other doctor (qty 0) first', [{ field: 'items', message: 'one doctor per consultation order' }]);
  if (extras.some((e) => e.qty !== 1)) throw unprocessable('A consultation is one session: its qty is 1', [{ field: 'qty', message: 'must be 1' }]);
}

type ConsultationLine = { id_doctors: number; qty: QtyOp; extra_notes?: string };
type DoctorWithService = Prisma.DoctorGetPayload<{ include: { service: { select: { services_price: true; deleted_at: true } } } }>;
/** c_add_to_carts: the doctor's price (consultationPrice), never the client's. */
const CONSULTATIONS: LineKind<ConsultationLine, DoctorWithService, Prisma.OrderExtraGetPayload<object>> = {
  cart: 'C',
  target: (l) => l.id_doctors,
  targets: (tx, ids) => tx.doctor.findMany({ where: { id: { in: ids } }, include: { service: { select: { services_price: true, deleted_at: true } } } }),
  missing: (id) => notFound(`doctors ${id} not found`),
  check: (doctor, cart) => {
    if (doctor.deleted_at) throw notFound(`doctors ${doctor.id} not found`);
    if (doctor.is_active !== 1) throw unprocessable('This doctor is not available for consultations');
    if (doctor.id_users === cart.id_member) throw consultingOneself();
    if (consultationPrice(doctor) <= 0) throw unpricedConsultation(doctor);
  },
  lines: (tx, orderId, ids) => tx.orderExtra.findMany({ where: { id_orders: orderId, id_doctors: { in: ids } } }),
  of: (extra) => extra.id_doctors,
  remove: (tx, id) => tx.orderExtra.delete({ where: { id } }),
  save: (tx, { orderId, line, target: doctor, current, qty }) => {
    const data = { qty, extra_prices: consultationPrice(doctor), ...(line.extra_notes !== undefined ? { extra_notes: line.extra_notes } : {}) };
    return current
      ? tx.orderExtra.update({ where: { id: current.id }, data })
      : tx.orderExtra.create({ data: { id_orders: orderId, id_doctors: doctor.id, item: 'Online consultation', ...data } });
  },
  validate: async (tx, orderId) => assertOneConsultation(await tx.orderExtra.findMany({ where: { id_orders: orderId }, select: { qty: true } })),
};
/**
 * Holds (FOR SHARE) the doctor of a consultation order's line, before it is read: doctors/:id/delete
 * locks that row and refuses while the doctor has a consultation checkout awaiting payment or an open
 * paid thread, so a checkout or a payment's thread opening at the same moment is either seen by the
 * delete or waits for it and reads the doctor as deleted.
 */
export async function holdConsultationDoctor(tx: Tx, orderId: number) {
  await tx.$queryRaw`SELECT d.id FROM doctors d JOIN order_extras e ON e.id_doctors = d.id WHERE e.id_orders = ${orderId} ORDER BY d.id FOR SHARE OF d`;
}
export const addConsultations = (app: AppContext, user: AuthUser, orderId: number, lines: ConsultationLine[], beforeCommit?: BeforeCommit) =>
  addLines(app, user, orderId, CONSULTATIONS, lines, beforeCommit);

export function applyPoints(app: AppContext, user: AuthUser, orderId: number, points: number, beforeCommit?: BeforeCommit) {
  return onCart(app, user, orderId, undefined, async (tx, order) => {
    await assertCartPatient(tx, order);
    const balance = await pointBalance(app, tx, order.id_member);
    if (points > balance) throw unprocessable(`Not enough points (balance ${balance})`);
    // its totals at today's prices (onCart repriced the lines)
    const current = await recomputeOrderTotals(tx, orderId);
    const payable = current.total_price - current.total_discount + current.total_pajak + current.courier_price;
    if (points > payable) throw unprocessable(`At most ${payable} points can be used on this order`);
    await tx.order.update({ where: { id: orderId }, data: { poin_used: points } });
    return recomputeOrderTotals(tx, orderId);
  }, beforeCommit);
}

export function applyPromotion(app: AppContext, user: AuthUser, orderId: number, code: string, beforeCommit?: BeforeCommit) {
  return onCart(app, user, orderId, undefined, async (tx, order) => {
    await assertCartPatient(tx, order);
    const now = app.now();
    // FOR SHARE (after the cart, the order a checkout locks them in): an edit of the promotion in
    // progress is waited for, and the cart shows the discount as edited. An edit only recomputes
    // the carts that had applied the code when it began.
    const [found] = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM promotions WHERE display_codes_key = ${code.trim().toUpperCase()} AND deleted_at IS NULL FOR SHARE`;
    const promo = found && (await tx.promotion.findFirst({ where: { id: found.id, deleted_at: null } }));
    if (!promo) throw notFound('Unknown promotion code');
    if (promo.start_datetime > now || promo.expired_datetime <= now) throw unprocessable('This promotion code is not valid now');
    if (promo.quota_reserved + promo.quota_used >= promo.quota) throw unprocessable('This promotion code has been used up');
    const uses = await tx.promotionUsage.count({ where: { id_promotions: promo.id, id_users: order.id_member, status: { in: ['RESERVED', 'USED'] } } });
    if (uses >= promo.max_uses_per_customer) throw unprocessable('You have already used this promotion code');
    const items = await tx.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, select: { id_menu: true, price_total: true } });
    if (promo.id_menu && !items.some((i) => i.id_menu === promo.id_menu)) throw unprocessable('This promotion code applies to a product that is not in the cart');
    // over its lines at today's prices (onCart repriced them)
    const { total_price } = await recomputeOrderTotals(tx, orderId);
    if (promotionDiscount(promo, items, total_price) <= 0) throw unprocessable('This promotion code gives no discount on this cart');
    await tx.order.update({ where: { id: orderId }, data: { id_promo_discount_applied: promo.id } });
    await recomputeOrderTotals(tx, orderId);
    return promo;
  }, beforeCommit);
}

/** Takes an applied discount (points, promotion code) off the caller's cart. */
function unapply(app: AppContext, user: AuthUser | undefined, orderId: number, data: Prisma.OrderUncheckedUpdateInput, beforeCommit?: BeforeCommit) {
  return onCart(app, user, orderId, undefined, async (tx) => {
    await tx.order.update({ where: { id: orderId }, data });
    await recomputeOrderTotals(tx, orderId);
  }, beforeCommit);
}
export const unapplyPoints = (app: AppContext, user: AuthUser | undefined, orderId: number, beforeCommit?: BeforeCommit) =>
  unapply(app, user, orderId, { poin_used: 0 }, beforeCommit);
export const unapplyPromotion = (app: AppContext, user: AuthUser | undefined, orderId: number, beforeCommit?: BeforeCommit) =>
  unapply(app, user, orderId, { id_promo_discount_applied: null }, beforeCommit);

/**
 * Cut to `n` UTF-16 units (Snap's limit for names) with an ellipsis, never between the two halves of
 * a character beyond the BMP (an emoji): half of one is no text, and Snap would show it broken.
 */
const clip = (s: string, n = 50) => {
  if (s.length <= n) return s;
  const end = /[\uD800-\uDBFF]/.test(s.charAt(n - 2)) ? n - 2 : n - 1;
  return s.slice(0, end) + '…';
};

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
 * reservation is rolled back to the cart and the client gets 503. `beforeCommit` runs last in the
 * transaction that reserves (a staff checkout's audit entry records that change: it stays when
 * Midtrans then fails and the order goes back to the cart).
 */
export async function checkout(
  app: AppContext,
  user: AuthUser,
  orderId: number,
  body: { alamat_kirim?: string; nama_penerima?: string; notelp_pemesan?: string; catatan_order?: string },
  beforeCommit?: BeforeCommit,
) {
  const prepared = await app.db.$transaction(async (tx) => {
    const order = await loadCart(tx, user, orderId);
    await assertCartPatient(tx, order);
    const overrides = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(overrides).length) await tx.order.update({ where: { id: orderId }, data: overrides });
    // re-price lines now: promotion prices may have ended since they were added. The one reading of
    // the clock for the whole checkout: prices, the promotion's window, checkout_datetime and the
    // order code's day (read twice, a checkout at midnight could be dated one day and coded the next)
    const now = app.now();
    const items = await tx.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, include: { menu: true } });
    if (order.order_type === 'C') await holdConsultationDoctor(tx, orderId);
    const extras = await tx.orderExtra.findMany({ where: { id_orders: orderId }, include: { doctor: { include: { user: true, service: { select: { services_price: true, deleted_at: true } } } } } });
    if (order.order_type === 'E' && items.length === 0) throw unprocessable('The cart is empty');
    if (order.order_type === 'C' && extras.length === 0) throw unprocessable('Choose a doctor for the consultation first');
    if (order.order_type === 'C') assertOneConsultation(extras);
    // A prescription-only product is sold only as far as prescriptions put it in this line
    // (menu_reedems) and are still valid now, as redeeming requires (not expired, not withdrawn, the
    // consultation they were written in still paid): a line added before the product became
    // prescription-only, or grown before, is not.
    const rxItems = items.filter((i) => i.menu.is_resep_required === 1);
    const redeemed = rxItems.length
      ? await tx.menuReedem.findMany({
          where: { id_orders: orderId, id_order_items: { in: rxItems.map((i) => i.id) } },
          select: { id_order_items: true, qty: true, message: { select: { valid_until: true, deleted_at: true, thread: { select: { id_order: true } } } } },
        })
      : [];
    // the consultations' orders held (after the cart's lock; a redemption holds them before it, FOR
    // SHARE both: neither waits): a cancellation or undone payment at the same moment is seen, or
    // waits for this checkout (the redemption's rule: menu-reedems.routes.ts)
    const undone = await holdUnpaidOrders(tx, redeemed.map((r) => r.message.thread.id_order));
    for (const i of rxItems) {
      const mine = redeemed.filter((r) => r.id_order_items === i.id);
      const standing = mine.filter((r) => !r.message.thread.id_order || !undone.has(r.message.thread.id_order));
      const valid = standing.filter((r) => !r.message.deleted_at && r.message.valid_until && r.message.valid_until > now);
      const covered = valid.reduce((sum, r) => sum + r.qty, 0);
      if (i.qty <= covered) continue;
      const name = i.nama_menus || i.menu.nama_menus;
      if (standing.length < mine.length) throw unprocessable(`The prescription for ${name} is no longer valid: its consultation was cancelled or is no longer paid; remove it from the cart`);
      if (valid.length < mine.length) throw unprocessable(`The prescription for ${name} has expired or was withdrawn; remove it from the cart`);
      throw unprocessable(`${name} needs a prescription: ${covered} of the ${i.qty} in the cart are prescribed; lower the qty or remove it`);
    }
    for (const i of items) {
      if (i.menu.deleted_at) throw unprocessable(`${i.nama_menus} is no longer sold; remove it from the cart`);
      const price = effectivePrice(i.menu, now);
      if (price === i.price) continue;
      await tx.orderItem.update({ where: { id: i.id }, data: { price, price_total: price * i.qty } });
      Object.assign(i, { price, price_total: price * i.qty });
    }
    for (const e of extras) {
      if (!e.doctor || e.doctor.deleted_at || e.doctor.is_active !== 1) throw unprocessable('The chosen doctor is no longer available');
      // the profile may have been given to the customer's account since it was added
      if (e.doctor.id_users === order.id_member) throw consultingOneself();
      const price = consultationPrice(e.doctor);
      // its price removed since it was added
      if (price <= 0) throw unpricedConsultation(e.doctor);
      if (e.extra_prices === price) continue;
      await tx.orderExtra.update({ where: { id: e.id }, data: { extra_prices: price } });
      e.extra_prices = price;
    }
    // the order as it now is (locked since loadCart: only this transaction changed it)
    const current = { ...order, ...overrides };
    if (order.order_type === 'E') {
      if (!current.alamat_kirim.trim()) throw unprocessable('Set the delivery address first');
      if (!current.is_courier || !current.courier) throw unprocessable('Choose a courier first');
      // the shipping module's rule: the chosen courier's price still matches a quote for this cart and address
      await assertCourierStillValid(tx, current, weightOf(items));
    }
    // the totals from the lines in hand (re-priced above), not read again
    const promotion = current.id_promo_discount_applied
      ? await tx.promotion.findUnique({ where: { id: current.id_promo_discount_applied }, select: { id_menu: true, type: true, value: true } })
      : null;
    const totals = computeTotals({ courier_price: current.courier_price, poin_used: current.poin_used, items, extras, promotion });
    if (current.id_promo_discount_applied && totals.total_discount === 0) throw unprocessable('The applied promotion gives no discount on this cart; remove it');
    await reserveForCheckout(app, tx, { ...current, ...totals }, now);
    const attempt = current.payment_attempts + 1;
    const expiresAt = new Date(now.getTime() + app.config.PAYMENT_EXPIRY_MINUTES * 60_000);
    await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: 'SUPERSEDED' } });
    // one update of the order: its totals, the reservation and the new status
    const change = { ...totals, reservation_status: 'RESERVED', status: 'CHECKOUT', cart_open: null, payment_attempts: attempt, checkout_datetime: now, expires_at: expiresAt };
    await tx.order.updateMany({ where: { id: orderId }, data: change });
    await emit(app, 'order.status_changed', { orderId, status: 'CHECKOUT' }, tx);
    // The order code last: the day's counter row is locked from here to the commit, and every
    // other checkout of the day waits for it.
    const code = current.order_code ?? (await assignOrderCode(tx, orderId, current.order_type, now));
    const midtransOrderId = attempt === 1 ? code : `${code}-${attempt}`;
    // nothing to pay (points/discount cover it): paid at once, in this transaction, so a failure
    // while paying leaves the cart as it was, not a checkout holding stock and points that no
    // payment can complete (it needs the order code: after it, for these few orders). No Midtrans
    // attempt is recorded, as for staff's manual payment: none exists at Midtrans, and a PENDING
    // one would be looked up there by the expiry job once staff undo the payment (`unpaid`). The
    // attempt is still counted, so `unpaid` revives no earlier, superseded attempt.
    if (totals.grand_totals <= 0) await markPaid(app, tx, orderId, 'points', null);
    else await tx.orderPayment.create({ data: { id_orders: orderId, attempt, midtrans_order_id: midtransOrderId, gross_amount: totals.grand_totals, expires_at: expiresAt } });
    await beforeCommit?.(tx);
    return { order: { ...current, ...change, order_code: code, items, extras }, midtransOrderId };
  });
  const { order, midtransOrderId } = prepared;
  if (order.grand_totals <= 0) return { token: '', redirect_url: '' };
  try {
    const snap = await createSnapTransaction(app, {
      orderId: midtransOrderId,
      grossAmount: order.grand_totals,
      items: snapItems(order),
      // a customer registered by phone has no email: sent empty, Snap refuses the whole transaction
      customer: {
        first_name: clip(order.nama_pemesan),
        ...(order.email_pemesan.trim() ? { email: order.email_pemesan.trim() } : {}),
        ...(order.notelp_pemesan.trim() ? { phone: order.notelp_pemesan.trim() } : {}),
      },
      expiryMinutes: app.config.PAYMENT_EXPIRY_MINUTES,
    });
    // the attempt and the order keep the token: one statement, so both or neither
    await sqlRows(
      app.db,
      `WITH attempt AS (UPDATE order_payments SET snap_token = $1, redirect_url = $2, updated_at = now() WHERE midtrans_order_id = $3)
       UPDATE orders SET token = $1, payment_redirect_url = $2, updated_at = now() WHERE id = $4`,
      [snap.token, snap.redirect_url, midtransOrderId, orderId],
    );
    return snap;
  } catch (err) {
    // Payment could not start: back to the cart, or, when the customer has opened another cart for
    // the patient meanwhile, cancelled; either way everything reserved is given back. A second
    // try when that other cart appeared between the check and the update (the unique open-cart key).
    for (let attempt = 1; ; attempt++) {
      try {
        await app.db.$transaction(async (tx) => {
          await lockOrder(tx, orderId);
          if (await otherOpenCart(tx, orderId)) {
            await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: 'FAILED' } });
            await cancelOrder(app, tx, orderId, { pic: 'system', reason: 'payment could not be started' });
          } else await backToCart(app, tx, orderId, 'FAILED');
        });
        break;
      } catch (undo: any) {
        if (undo?.code !== 'P2002' || attempt === 2) throw undo;
      }
    }
    throw err;
  }
}

/** Whether the order's customer has another open cart for the same patient and order type. */
async function otherOpenCart(tx: Tx, orderId: number) {
  const o = await tx.order.findUniqueOrThrow({ where: { id: orderId }, select: { id_member: true, id_patients: true, order_type: true } });
  const n = await tx.order.count({ where: { id_member: o.id_member, id_patients: o.id_patients, order_type: o.order_type, cart_open: 1, id: { not: orderId } } });
  return n > 0;
}

/** CHECKOUT (unpaid) → cart again: reservations released, the attempt superseded, the checkout's stamp cleared. */
async function backToCart(app: AppContext, tx: Tx, orderId: number, attemptStatus = 'SUPERSEDED') {
  const { count } = await tx.order.updateMany({
    where: { id: orderId, status: 'CHECKOUT', is_paid: 0 },
    data: { status: CART, cart_open: 1, token: '', payment_redirect_url: '', expires_at: null, checkout_datetime: null },
  });
  if (count === 0) throw conflict('Only an unpaid checkout can go back to the cart');
  await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: attemptStatus } });
  await releaseReservations(app, tx, orderId);
  // a cart again: its totals as they now are (a promotion edited or deleted while it was checked
  // out changed no cart then), so it shows what the next checkout charges
  await recomputeOrderTotals(tx, orderId, { reservation_status: 'NONE' });
  await emit(app, 'order.status_changed', { orderId, status: CART }, tx);
}

export async function uncheckout(app: AppContext, user: AuthUser, orderId: number, beforeCommit?: BeforeCommit) {
  await app.db.$transaction(async (tx) => {
    const order = await loadOwnOrder(tx, user, orderId);
    if (order.status !== 'CHECKOUT' || order.is_paid) throw conflict(`Order ${orderId} cannot go back to the cart (status ${order.status}; allowed from CHECKOUT, unpaid)`);
    if (await otherOpenCart(tx, orderId)) throw conflict('Another cart is already open for this patient and order type');
    try {
      await backToCart(app, tx, orderId);
    } catch (err: any) {
      if (err?.code === 'P2002') throw conflict('Another cart is already open for this patient and order type');
      throw err;
    }
    await beforeCommit?.(tx);
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
  const earned = pointsEarned(order.grand_totals, app.config.POINTS_EARN_PERCENT);
  if (earned > 0) {
    await creditPoints(app, tx, order.id_member, earned, 'webhook-midtrans', orderId, orderId);
  }
  await emit(app, 'order.paid', { orderId }, tx);
  await emit(app, 'order.status_changed', { orderId, status: 'PAID' }, tx);
  return true;
}

/** The statuses an order can be cancelled from: not yet shipped. */
const CANCELLABLE = ['CHECKOUT', 'PAID', 'PREPARED', 'PROCESSING'];

/** Cancels an unpaid checkout or a paid order that has not shipped; everything held is given back. */
export async function cancelOrder(app: AppContext, tx: Tx, orderId: number, info: { pic?: string; reason?: string; id_admin?: number | null }) {
  const { count } = await tx.order.updateMany({
    where: { id: orderId, status: { in: CANCELLABLE } },
    data: {
      status: 'CANCEL',
      is_canceled: 1,
      cancel_datetime: app.now(),
      cancel_pic: info.pic ?? '',
      cancel_reason: info.reason ?? '',
      expires_at: null,
      // staff's cancel: the admin who last acted, by id and by name (as paid/unpaid/uncancel stamp them)
      ...(info.id_admin !== undefined ? { id_admin: info.id_admin, pic_admin: info.pic ?? '' } : {}),
    },
  });
  if (count === 0) return false;
  await tx.orderPayment.updateMany({ where: { id_orders: orderId, status: 'PENDING' }, data: { status: 'CANCELLED' } });
  await releaseReservations(app, tx, orderId);
  await emit(app, 'order.cancelled', { orderId, reason: info.reason }, tx);
  await emit(app, 'order.status_changed', { orderId, status: 'CANCEL' }, tx);
  return true;
}

/** What staff may send with an admin action on an order. */
export type AdminInput = { pic_admin?: string; id_admin?: number; cancel_reason?: string };
/** The admin stamped on the order: the one named in the body, else the caller. */
export const adminStamp = (user: AuthUser, input: AdminInput) => ({ id_admin: input.id_admin || user.id, pic_admin: input.pic_admin ?? user.username });

/**
 * The admin an action names in `id_admin` (another than the caller) is a live OWNER or ADMIN account
 * (422 otherwise): the order's admin is who answers for it, never a customer's or a deleted account.
 * Held FOR SHARE until the action commits, so the account's deletion or a role change at the same
 * moment (each writes its row) comes first and is seen here, or waits.
 */
export async function assertAdminNamed(tx: Tx, user: AuthUser, input: AdminInput) {
  const id = input.id_admin;
  if (!id || id === user.id) return;
  if (!(await holdLiveStaff(tx, id))) throw unprocessable(`User ${id} is not an admin`, [{ field: 'id_admin', message: 'not a live OWNER or ADMIN account' }]);
}

type ActionContext<I> = { app: AppContext; user: AuthUser; order: Order; input: I; now: Date };

/**
 * A state action of the order state machine (docs/compat.md), described by data: it moves the order
 * from the listed statuses only, as one conditional update under the order's row lock, and anywhere
 * else answers 409 naming the statuses it is allowed from.
 */
export type StateAction<I = object> = {
  action: string;
  /** the statuses the action is allowed from */
  from: string[];
  to: string;
  /** the data the conditional update writes besides the status */
  data: (c: ActionContext<I>) => Prisma.OrderUpdateManyMutationInput;
  /** the order types it applies to (default all), and the 409 for the others */
  types?: ('E' | 'C')[];
  wrongType?: string;
  /** the allowed statuses where they depend on the order (undefined: `from`) */
  fromFor?: (order: Order) => string[] | undefined;
  /** statuses where repeating the action is accepted (not named in the 409) */
  again?: string[];
  /** further conditions of the conditional update */
  where?: Prisma.OrderWhereInput;
  /** refusals of the input, under the order's lock, before the status moves */
  check?: (tx: Tx, c: ActionContext<I>) => Promise<void>;
  /** the verb of the 409 (default the action) */
  verb?: string;
  /** what else moves with the status, in the same transaction, before order.status_changed */
  after?: (tx: Tx, c: ActionContext<I>) => Promise<void>;
};

/** Runs a state action on an order the caller may act on; emits order.status_changed when the status moved. */
export function runStateAction<I>(app: AppContext, user: AuthUser, orderId: number, a: StateAction<I>, input: I, beforeCommit?: BeforeCommit) {
  return onOwnOrder(app, user, orderId, async (tx, order) => {
    if (a.types && !a.types.includes(order.order_type as 'E' | 'C')) throw conflict(a.wrongType ?? `${a.action} does not apply to ${order.order_type} orders`);
    const from = a.fromFor?.(order) ?? a.from;
    const c: ActionContext<I> = { app, user, order, input, now: app.now() };
    await a.check?.(tx, c);
    const { count } = await tx.order.updateMany({
      where: { id: order.id, status: { in: [...from, ...(a.again ?? [])] }, ...a.where },
      data: { status: a.to, ...a.data(c) },
    });
    if (count === 0) throw conflict(`Cannot ${a.verb ?? a.action} an order in status ${order.status} (allowed from ${from.join(', ')})`);
    await a.after?.(tx, c);
    if (order.status !== a.to) await emit(app, 'order.status_changed', { orderId: order.id, status: a.to }, tx);
  }, beforeCommit);
}

/** The fulfilment steps (each stamps its *_datetime) and their undo steps; staff routes of the same names. */
export const TRANSITIONS: StateAction[] = [
  { action: 'prepared', verb: 'prepare', from: ['PAID'], to: 'PREPARED', data: ({ now }) => ({ is_prepared: 1, prepared_datetime: now }) },
  { action: 'unprepare', from: ['PREPARED'], to: 'PAID', data: () => ({ is_prepared: 0, prepared_datetime: null }) },
  { action: 'processing', verb: 'process', from: ['PREPARED'], to: 'PROCESSING', data: ({ now }) => ({ is_processing: 1, processing_datetime: now }) },
  { action: 'unprocessing', verb: 'undo the processing of', from: ['PROCESSING'], to: 'PREPARED', data: () => ({ is_processing: 0, processing_datetime: null }) },
  { action: 'pickup', from: ['PROCESSING'], to: 'PICKUP', types: ['E'], data: ({ now }) => ({ is_pickup: 1, pickup_datetime: now, is_waiting_courier: 0 }) },
  { action: 'unpickup', from: ['PICKUP'], to: 'PROCESSING', types: ['E'], data: () => ({ is_pickup: 0, pickup_datetime: null }) },
  {
    action: 'consignee',
    verb: 'mark as received',
    from: ['DELIVERED', 'PAID', 'PREPARED', 'PROCESSING'],
    to: 'DONE',
    // e-commerce orders reach DONE only through delivery (noresi → DELIVERED)
    fromFor: (order) => (order.order_type === 'E' ? ['DELIVERED'] : undefined),
    data: ({ now }) => ({ is_done: 1, done_datetime: now }),
  },
];

/** process/noresi: PROCESSING/PICKUP → DELIVERED; a shipped order may have its tracking number recorded again. */
const SHIP: StateAction<{ nomor_resi: string }> = {
  action: 'process_noresi',
  verb: 'ship',
  from: ['PROCESSING', 'PICKUP'],
  again: ['DELIVERED'],
  to: 'DELIVERED',
  types: ['E'],
  wrongType: 'Only e-commerce orders are shipped',
  data: ({ order, input, now }) => ({ nomor_resi: input.nomor_resi, is_delivered: 1, delivered_datetime: order.delivered_datetime ?? now }),
  // the customer hears of a shipment, or of a corrected number, once (not of the same number again)
  after: async (tx, { app, order, input }) => {
    if (order.status === 'DELIVERED' && order.nomor_resi === input.nomor_resi) return;
    await emit(app, 'order.shipped', { orderId: order.id, nomor_resi: input.nomor_resi }, tx);
  },
};
export const recordTrackingNumber = (app: AppContext, user: AuthUser, orderId: number, input: { nomor_resi: string }, beforeCommit?: BeforeCommit) =>
  runStateAction(app, user, orderId, SHIP, input, beforeCommit);

/** orders/:id/cancel (staff): see cancelOrder. */
export function cancelByAdmin(app: AppContext, user: AuthUser, orderId: number, input: AdminInput, beforeCommit?: BeforeCommit) {
  return onOwnOrder(app, user, orderId, async (tx, order) => {
    await assertAdminNamed(tx, user, input);
    const ok = await cancelOrder(app, tx, order.id, {
      pic: input.pic_admin ?? user.username,
      reason: input.cancel_reason ?? '',
      id_admin: input.id_admin || user.id,
    });
    if (!ok) throw conflict(`Cannot cancel an order in status ${order.status} (allowed from ${CANCELLABLE.join(', ')})`);
  }, beforeCommit);
}

/** orders/:id/uncancel (staff): an unpaid cancelled order becomes the cart again. */
export function uncancelByAdmin(app: AppContext, user: AuthUser, orderId: number, input: AdminInput, beforeCommit?: BeforeCommit) {
  return onOwnOrder(app, user, orderId, async (tx, order) => {
    await assertAdminNamed(tx, user, input);
    if (order.status !== 'CANCEL') throw conflict(`Cannot uncancel an order in status ${order.status} (allowed from CANCEL)`);
    if (order.paid_date) throw conflict('A paid order that was cancelled cannot be restored; create a new order');
    // the one cancelled order never checked out: a cart closed by its delete (deleteCart); deleted, it stays so
    if (!order.checkout_datetime) throw conflict('This order is a deleted cart (kept for its payment attempts): it cannot be restored');
    try {
      await tx.order.update({
        where: { id: order.id },
        // a cart again, as after uncheckout: not checked out (its next checkout stamps its own time)
        data: { status: CART, cart_open: 1, is_canceled: 0, cancel_datetime: null, cancel_reason: '', cancel_pic: '', reservation_status: 'NONE', token: '', payment_redirect_url: '', checkout_datetime: null, ...adminStamp(user, input) },
      });
    } catch (err: any) {
      if (err?.code === 'P2002') throw conflict('The customer already has an open cart for this patient and order type');
      throw err;
    }
    // its promotion FOR SHARE (after the order, as apply does): an edit in progress recomputes only
    // the carts that had applied the code when it began, not this one, so it is waited for and the
    // cart shows the edited discount its checkout will charge
    if (order.id_promo_discount_applied) await tx.$queryRaw`SELECT id FROM promotions WHERE id = ${order.id_promo_discount_applied} FOR SHARE`;
    await recomputeOrderTotals(tx, order.id);
    await emit(app, 'order.status_changed', { orderId: order.id, status: CART }, tx);
  }, beforeCommit);
}
