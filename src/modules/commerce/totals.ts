import type { Tx } from '../../db/client.js';
import { unprocessable } from '../../http/errors.js';

/** The money columns are 32-bit integers (whole rupiah). */
const MAX_AMOUNT = 2_147_483_647;

export interface PromotionRule {
  id_menu: number | null;
  type: string;
  value: number;
}

/** Discount of a promotion over the order's lines: product codes discount only that product's line. */
export function promotionDiscount(
  promo: PromotionRule,
  items: { id_menu: number; price_total: number }[],
  subtotal: number,
): number {
  const base = promo.id_menu ? items.filter((i) => i.id_menu === promo.id_menu).reduce((s, i) => s + i.price_total, 0) : subtotal;
  if (base <= 0) return 0;
  const raw = promo.type === 'PERSEN' ? Math.floor((base * Math.min(Math.max(promo.value, 0), 100)) / 100) : promo.value;
  return Math.max(0, Math.min(raw, base));
}

/**
 * The single place an order's totals are computed (whole rupiah):
 *   total_price    = Σ item lines (price × qty) + Σ extras (extra_prices × qty)
 *   total_discount = the applied promotion's discount (0 when it no longer matches the cart)
 *   total_pajak    = Σ item pajak
 *   courier_price  = as stored (written by the shipping module)
 *   poin_used      = as applied, capped to what is payable
 *   grand_totals   = total_price − total_discount + total_pajak + courier_price − poin_used
 * From the order's live (not cancelled) item lines, its extras and its promotion.
 *
 * The amount before discount and points (total_price + total_pajak + courier_price) must fit the
 * money columns (422 otherwise), not only what is left after them: grand_totals is never more than
 * it, so a discount lowered or removed later (staff editing or deleting the promotion, which
 * recomputes the carts that applied it; the customer unapplying it or the points) can never take a
 * cart's total beyond the columns and be refused for it.
 */
export function computeTotals(order: TotalsInput) {
  const itemsTotal = order.items.reduce((s, i) => s + i.price_total, 0);
  const extrasTotal = order.extras.reduce((s, e) => s + e.extra_prices * e.qty, 0);
  const total_price = itemsTotal + extrasTotal;
  const total_discount = order.promotion ? promotionDiscount(order.promotion, order.items, total_price) : 0;
  const total_pajak = order.items.reduce((s, i) => s + i.pajak, 0);
  const total_buffertime = order.items.reduce((s, i) => s + i.buffer_time, 0);
  const courier_price = order.courier_price;
  const gross = total_price + total_pajak + courier_price;
  if (gross > MAX_AMOUNT) {
    throw unprocessable(`The order's amount (${gross} before discounts and points) is too large (amounts are whole rupiah up to 2,147,483,647)`);
  }
  const payable = Math.max(0, total_price - total_discount + total_pajak + courier_price);
  const poin_used = Math.min(order.poin_used, payable);
  const grand_totals = payable - poin_used;
  return { total_price, total_discount, total_pajak, total_buffertime, courier_price, poin_used, grand_totals };
}

export interface TotalsInput {
  courier_price: number;
  poin_used: number;
  items: { id_menu: number; price_total: number; pajak: number; buffer_time: number }[];
  extras: { extra_prices: number; qty: number }[];
  promotion: PromotionRule | null;
}

/**
 * Reads what the totals are computed from and writes them. Call it inside the transaction that
 * changed lines, promotion, courier or points (checkout, which has the lines in hand, calls
 * computeTotals and writes the totals in its own update of the order). `change`: other fields of
 * the order written in the same update (a new courier, whose price the totals then use); of the
 * totals' inputs only courier_price may be among them.
 */
export async function recomputeOrderTotals(tx: Tx, orderId: number, change: { courier_price?: number; poin_used?: never } & Record<string, unknown> = {}) {
  const order = await tx.order.findUniqueOrThrow({
    where: { id: orderId },
    select: {
      courier_price: true,
      poin_used: true,
      items: { where: { is_canceled: 0 }, select: { id_menu: true, price_total: true, pajak: true, buffer_time: true } },
      extras: { select: { extra_prices: true, qty: true } },
      promotion: { select: { id_menu: true, type: true, value: true, deleted_at: true } },
    },
  });
  // a deleted promotion discounts nothing (checkout then refuses the code, so the customer sees it)
  const promotion = order.promotion && !order.promotion.deleted_at ? order.promotion : null;
  const inputs = { ...order, promotion, ...(change.courier_price === undefined ? {} : { courier_price: change.courier_price }) };
  const totals = computeTotals(inputs);
  // the order as written (its totals included), for answers that show it
  return tx.order.update({ where: { id: orderId }, data: { ...change, ...totals } });
}
