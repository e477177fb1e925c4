import type { AppContext } from '../../app-context.js';
import { unprocessable } from '../../http/errors.js';
import { clinicDay } from '../../lib/dates.js';
import { sqlRows, type Tx } from '../../db/client.js';
import { returnSpentPoints, reverseEarned, spendPoints } from './points.service.js';
import { releaseStock, reserveStock } from '../catalogue/stock.service.js';

/** Locks the order row for the rest of the transaction (webhook, admin actions, checkout). */
export async function lockOrder(tx: Tx, orderId: number) {
  await tx.$queryRaw`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`;
}

/**
 * An order that stands as a sale: paid, not cancelled, and not taken back in full by Midtrans (a
 * refund or chargeback of one that could no longer be cancelled, e.g. a consultation already DONE:
 * staff settle it). The reports count the same orders (reports.service.ts, paidOrders).
 */
export const standsAsSale = (o: { is_paid: number; status: string; refunded_amount: number; grand_totals: number }) =>
  o.is_paid === 1 && o.status !== 'CANCEL' && (o.refunded_amount === 0 || o.refunded_amount < o.grand_totals);

/**
 * Holds the orders' rows FOR SHARE, in id order, until the transaction ends, and answers those that
 * do not stand as a sale now (standsAsSale: unpaid, cancelled, or taken back in full; a missing one too). Every change of an order's payment
 * state (a payment, `unpaid`, a cancellation, a Midtrans refund) locks its row FOR UPDATE first: one
 * at the same moment either committed before and is seen, or waits for the caller. FOR SHARE, not
 * locked: callers holding the same order need not wait for each other (a prescription's consultation,
 * held by its redemption before the cart's lock and by a checkout after it: never a wait either way).
 */
export async function holdUnpaidOrders(tx: Tx, orderIds: readonly (number | null)[]): Promise<Set<number>> {
  const ids = [...new Set(orderIds.filter((id): id is number => id != null))].sort((a, b) => a - b);
  if (!ids.length) return new Set();
  const rows = await tx.$queryRaw<{ id: number; paid: boolean }[]>`
    SELECT id, (is_paid = 1 AND status <> 'CANCEL' AND (refunded_amount = 0 OR refunded_amount < grand_totals)) AS paid
    FROM orders WHERE id = ANY(${ids}::int[]) ORDER BY id FOR SHARE`;
  const paid = new Set(rows.filter((r) => r.paid).map((r) => r.id));
  return new Set(ids.filter((id) => !paid.has(id)));
}

/**
 * Checkout reservations, all guarded by the database: stock (conditional decrement), promotion
 * quota (conditional UPDATE that also row-locks the promotion) and points (conditional decrement
 * of the cached balance). Any shortage throws, which rolls the whole checkout back. The caller
 * sets the order's reservation_status to RESERVED in the same transaction (checkout does it in
 * its one update of the order).
 */
export async function reserveForCheckout(
  app: AppContext,
  tx: Tx,
  order: { id: number; id_member: number; order_type: string; id_promo_discount_applied: number | null; poin_used: number; total_discount: number },
  /** the checkout's reading of the clock (the promotion must be running then) */
  now: Date,
) {
  // stock (e-commerce only, from the warehouse store configured in deliveries/settings)
  if (order.order_type === 'E') {
    const settings = await tx.deliverySetting.findUnique({ where: { scope: 'default' } });
    const gudang = settings?.id_brandstore_gudang;
    if (gudang) {
      const items = await tx.orderItem.findMany({ where: { id_order: order.id, is_canceled: 0 }, select: { id: true, id_menu: true, qty: true } });
      // the catalogue's conditional, all-or-nothing reservation (409 naming the product when short)
      const taken = await reserveStock(tx, items.map((i) => ({ idbrandstore: gudang, idmenu: i.id_menu, qty: i.qty })), { id_orders: order.id });
      for (const item of items) {
        const stockId = taken.find((c) => c.idmenu === item.id_menu)?.idstock;
        if (stockId) await tx.orderItem.update({ where: { id: item.id }, data: { idstock: stockId } });
      }
    }
  }
  // promotion quota + per-customer limit
  if (order.id_promo_discount_applied) {
    const promoId = order.id_promo_discount_applied;
    const reserved = await tx.$executeRaw`
      UPDATE promotions SET quota_reserved = quota_reserved + 1, updated_at = now()
       WHERE id = ${promoId} AND deleted_at IS NULL AND quota_reserved + quota_used < quota
         AND start_datetime <= ${now} AND expired_datetime > ${now}`;
    if (reserved === 0) {
      // why, read after the update (which waited for a deletion in progress); staff's delete is a
      // soft delete, the order still references the row
      const why = await tx.promotion.findUniqueOrThrow({ where: { id: promoId }, select: { display_codes: true, deleted_at: true } });
      if (why.deleted_at) {
        throw unprocessable(`The promotion code ${why.display_codes} is no longer offered; remove it from the cart`, [
          { field: 'id_promo_discount_applied', message: 'no longer offered' },
        ]);
      }
      throw unprocessable('The promotion is no longer available (expired or quota used up)');
    }
    const promo = await tx.promotion.findUniqueOrThrow({ where: { id: promoId } });
    const uses = await tx.promotionUsage.count({ where: { id_promotions: promoId, id_users: order.id_member, status: { in: ['RESERVED', 'USED'] } } });
    if (uses >= promo.max_uses_per_customer) throw unprocessable('You have already used this promotion');
    await tx.promotionUsage.upsert({
      where: { id_promotions_id_orders: { id_promotions: promoId, id_orders: order.id } },
      create: { id_promotions: promoId, id_users: order.id_member, id_orders: order.id, amount: order.total_discount },
      update: { status: 'RESERVED', amount: order.total_discount },
    });
  }
  if (order.poin_used > 0) await spendPoints(app, tx, order.id_member, order.poin_used, 'order-use', order.id);
}

/** Paid: reservations become consumption (quota used, points used). */
export async function consumeReservations(tx: Tx, orderId: number) {
  const { count } = await tx.order.updateMany({ where: { id: orderId, reservation_status: 'RESERVED' }, data: { reservation_status: 'CONSUMED' } });
  if (count === 0) return;
  const usages = await tx.promotionUsage.findMany({ where: { id_orders: orderId, status: 'RESERVED' } });
  for (const u of usages) {
    await tx.promotionUsage.update({ where: { id: u.id }, data: { status: 'USED' } });
    await tx.$executeRaw`UPDATE promotions SET quota_reserved = quota_reserved - 1, quota_used = quota_used + 1 WHERE id = ${u.id_promotions} AND quota_reserved > 0`;
  }
  await tx.userPoint.updateMany({ where: { id_orders: orderId, usecase: 'order-use', is_used: 0 }, data: { is_used: 1 } });
}

/**
 * Gives back what a checkout held (uncheckout, cancel, expiry) or, for a paid order being cancelled,
 * what it consumed (and takes back the points it earned). Moved with a conditional update on
 * reservation_status, so a second release does nothing.
 */
export async function releaseReservations(app: AppContext, tx: Tx, orderId: number) {
  const order = await tx.order.findUniqueOrThrow({ where: { id: orderId }, select: { reservation_status: true, id_member: true } });
  if (order.reservation_status !== 'RESERVED' && order.reservation_status !== 'CONSUMED') return;
  const wasPaid = order.reservation_status === 'CONSUMED';
  const { count } = await tx.order.updateMany({ where: { id: orderId, reservation_status: order.reservation_status }, data: { reservation_status: 'RELEASED' } });
  if (count === 0) return;
  const items = await tx.orderItem.findMany({ where: { id_order: orderId, idstock: { not: null } }, select: { idstock: true, qty: true } });
  if (items.length) {
    await releaseStock(tx, items.map((i) => ({ idstock: i.idstock!, qty: i.qty })), { id_orders: orderId });
    await tx.orderItem.updateMany({ where: { id_order: orderId }, data: { idstock: null } });
  }
  const usages = await tx.promotionUsage.findMany({ where: { id_orders: orderId, status: { in: ['RESERVED', 'USED'] } } });
  for (const u of usages) {
    await tx.promotionUsage.update({ where: { id: u.id }, data: { status: 'RELEASED' } });
    if (u.status === 'USED') await tx.$executeRaw`UPDATE promotions SET quota_used = quota_used - 1 WHERE id = ${u.id_promotions} AND quota_used > 0`;
    else await tx.$executeRaw`UPDATE promotions SET quota_reserved = quota_reserved - 1 WHERE id = ${u.id_promotions} AND quota_reserved > 0`;
  }
  const used = await tx.userPoint.aggregate({ where: { id_orders: orderId, usecase: 'order-use' }, _sum: { use_point: true } });
  const released = await tx.userPoint.aggregate({ where: { id_orders: orderId, usecase: 'order-release' }, _sum: { add_point: true } });
  const giveBack = (used._sum.use_point ?? 0) - (released._sum.add_point ?? 0);
  if (giveBack > 0) await returnSpentPoints(app, tx, order.id_member, orderId, giveBack);
  if (wasPaid) await reverseEarned(tx, orderId);
}

/**
 * Gives the order its code, E-YYYYMMDD-NNN / C-YYYYMMDD-NNN for the Asia/Jakarta day, from the
 * day's counter: one statement (the counter upsert and the order update), so numbers are
 * sequential under concurrency. The counter row stays locked until the transaction commits, and
 * every checkout of the day waits for it: call this as the transaction's last step but one.
 * `now` is the checkout's one reading of the clock, the one its checkout_datetime is: read again
 * here, a checkout in the last moment of a day could be given the next day's code.
 */
export async function assignOrderCode(tx: Tx, orderId: number, type: string, now: Date): Promise<string> {
  const day = clinicDay(now).toISOString().slice(0, 10);
  const prefix = `${type}-${day.replaceAll('-', '')}-`;
  const [row] = await sqlRows<{ order_code: string }>(
    tx,
    `WITH c AS (
       INSERT INTO order_code_counters (order_type, tanggal, last_number, updated_at) VALUES ($1, $2::date, 1, now())
       ON CONFLICT (order_type, tanggal) DO UPDATE SET last_number = order_code_counters.last_number + 1, updated_at = now()
       RETURNING last_number)
     UPDATE orders SET order_code = $3 || lpad(c.last_number::text, greatest(3, length(c.last_number::text)), '0')
     FROM c WHERE orders.id = $4 RETURNING orders.order_code`,
    [type, day, prefix, orderId],
  );
  return row!.order_code;
}
