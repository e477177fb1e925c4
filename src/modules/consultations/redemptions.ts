import type { Prisma } from '../../db/client.js';

/**
 * A prescription's redemption (menu_reedems) holds the prescription while it backs a line that is
 * for sale: the line is still there, not cancelled, in an order that is not cancelled, or was paid
 * (a paid order's sale rests on it, even cancelled). Otherwise — the line removed from the cart, or
 * its order cancelled unpaid (expiry job, staff) — the prescription may be redeemed again; the row
 * is then re-pointed at the new line, so a cancelled order restored by `uncancel` no longer has it
 * and its checkout refuses that line.
 */
export const liveRedemption = {
  orderItem: { is: { is_canceled: 0 } },
  order: { is: { OR: [{ status: { not: 'CANCEL' } }, { paid_date: { not: null } }] } },
} satisfies Prisma.MenuReedemWhereInput;

/** What `isLive` needs of a redemption row. */
export const redemptionState = {
  select: { orderItem: { select: { is_canceled: true } }, order: { select: { status: true, paid_date: true } } },
} as const;

/** liveRedemption, for a row read with redemptionState. */
export function isLive(r: { orderItem: { is_canceled: number } | null; order: { status: string; paid_date: Date | null } } | null | undefined) {
  return Boolean(r?.orderItem && r.orderItem.is_canceled === 0 && (r.order.status !== 'CANCEL' || r.order.paid_date));
}

/** liveRedemption in SQL, for a redemption `r` (menu_reedems) in a hand-written statement. */
export const liveRedemptionSql = `EXISTS (SELECT 1 FROM order_items ri JOIN orders ro ON ro.id = r.id_orders
  WHERE ri.id = r.id_order_items AND ri.is_canceled = 0 AND (ro.status <> 'CANCEL' OR ro.paid_date IS NOT NULL))`;
