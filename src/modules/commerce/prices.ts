import type { AppContext } from '../../app-context.js';
import type { Db, Tx } from '../../db/client.js';
import { HttpError } from '../../http/errors.js';
import { effectivePrice } from '../catalogue/pricing.js';
import { computeTotals } from './totals.js';

/**
 * A consultation's price: the doctor's own custom_price, else (0, the default of doctors/create) the
 * price of the doctor's service, as a booking falls back to it. Never the client's. A deleted main
 * service is none (the doctor is shown without one): its price is not charged.
 */
export const consultationPrice = (doctor: { custom_price: number; service: { services_price: number; deleted_at: Date | null } | null }) =>
  doctor.custom_price || (doctor.service && !doctor.service.deleted_at ? doctor.service.services_price : 0);

const CART = 'SHOPPING CARTS';

type Row = Record<string, any>;

/**
 * The lines of these carts at checkout's prices now: each product line at its product's
 * effectivePrice, each consultation at its doctor's consultationPrice (a line whose doctor can no
 * longer be ordered — deleted, inactive, unpriced — keeps its price: checkout refuses it). Two
 * batched reads, whatever the number of carts and lines.
 */
async function linesAtCurrentPrices(app: AppContext, db: Db, cartIds: number[]) {
  const [items, extras] = await Promise.all([
    db.orderItem.findMany({
      where: { id_order: { in: cartIds }, is_canceled: 0 },
      select: {
        id: true,
        id_order: true,
        id_menu: true,
        qty: true,
        price: true,
        pajak: true,
        buffer_time: true,
        menu: { select: { harga: true, harga_promosi: true, mulai_harga_promosi: true, selesai_harga_promosi: true } },
      },
      orderBy: { id: 'asc' },
    }),
    db.orderExtra.findMany({
      where: { id_orders: { in: cartIds } },
      select: {
        id: true,
        id_orders: true,
        qty: true,
        extra_prices: true,
        doctor: { select: { custom_price: true, is_active: true, deleted_at: true, service: { select: { services_price: true, deleted_at: true } } } },
      },
      orderBy: { id: 'asc' },
    }),
  ]);
  const now = app.now();
  return {
    items: items.map(({ menu, price: stored, ...i }) => {
      const price = effectivePrice(menu, now);
      return { ...i, stored, price, price_total: price * i.qty };
    }),
    extras: extras.map(({ doctor, extra_prices: stored, ...e }) => {
      const price = doctor && !doctor.deleted_at && doctor.is_active === 1 ? consultationPrice(doctor) : 0;
      return { ...e, stored, extra_prices: price > 0 ? price : stored };
    }),
  };
}

/**
 * An open cart is shown as its checkout would charge it now (docs/compat.md, Carts): its lines at
 * checkout's prices (linesAtCurrentPrices) and its totals from them (computeTotals, a deleted
 * promotion discounting nothing, as recomputeOrderTotals). Nothing is written on a read: the stored
 * lines keep their price until the cart is written again (repriceCart) or checked out. Orders past
 * the cart are left as they are (their prices are fixed at checkout).
 *
 * Changes `rows` in place: the order's totals, and the price of each line it carries (`items`,
 * `extras`, when loaded). One batched read of the carts' lines with their products and doctors,
 * and one of their promotions, whatever the number of rows.
 */
export async function priceOpenCarts(app: AppContext, db: Db, rows: Row[]) {
  const carts = rows.filter((r) => r?.status === CART);
  if (!carts.length) return;
  const ids = carts.map((c) => c.id as number);
  const promoIds = [...new Set(carts.flatMap((c) => (c.id_promo_discount_applied ? [c.id_promo_discount_applied as number] : [])))];
  const [{ items, extras }, promotions] = await Promise.all([
    linesAtCurrentPrices(app, db, ids),
    promoIds.length
      ? db.promotion.findMany({ where: { id: { in: promoIds }, deleted_at: null }, select: { id: true, id_menu: true, type: true, value: true } })
      : Promise.resolve([]),
  ]);
  for (const cart of carts) {
    const lines = items.filter((i) => i.id_order === cart.id);
    const consultations = extras.filter((e) => e.id_orders === cart.id);
    const promotion = promotions.find((p) => p.id === cart.id_promo_discount_applied) ?? null;
    let totals;
    try {
      totals = computeTotals({ courier_price: cart.courier_price, poin_used: cart.poin_used, items: lines, extras: consultations, promotion });
    } catch (err) {
      // repriced past the money columns: checkout refuses it (422); the cart is shown as stored
      if (err instanceof HttpError) continue;
      throw err;
    }
    Object.assign(cart, totals);
    for (const item of cart.items ?? []) {
      const line = lines.find((l) => l.id === item.id);
      if (line) Object.assign(item, { price: line.price, price_total: line.price_total });
    }
    for (const extra of cart.extras ?? []) {
      const line = consultations.find((e) => e.id === extra.id);
      if (line) extra.extra_prices = line.extra_prices;
    }
  }
}

/**
 * Writes today's prices into a cart's stored lines (those that changed), in the caller's
 * transaction, under the cart's lock: every change of a cart (a line added, points or a code applied
 * or taken off) starts from the prices its checkout would charge, so the limits it checks (the points
 * payable, a code's discount) and the lines order_items/* read are those the customer is shown.
 * The caller recomputes the totals afterwards.
 */
export async function repriceCart(app: AppContext, tx: Tx, cartId: number) {
  const { items, extras } = await linesAtCurrentPrices(app, tx, [cartId]);
  for (const i of items) if (i.price !== i.stored) await tx.orderItem.update({ where: { id: i.id }, data: { price: i.price, price_total: i.price_total } });
  for (const e of extras) if (e.extra_prices !== e.stored) await tx.orderExtra.update({ where: { id: e.id }, data: { extra_prices: e.extra_prices } });
}
