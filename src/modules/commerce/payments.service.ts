import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { BeforeCommit, Db, Tx } from '../../db/client.js';
import { getTransactionStatus, isSimulator, signature, signingKey, verifySignature } from '../../adapters/midtrans.js';
import type { AuthUser } from '../../http/auth-user.js';
import { badRequest, conflict, HttpError } from '../../http/errors.js';
import { formatDateTime } from '../../lib/dates.js';
import { audit } from '../audit/audit.service.js';
import { emit } from '../../lib/events.js';
import { reverseEarned } from './points.service.js';
import { lockOrder } from './reservations.js';
import { adminStamp, assertAdminNamed, cancelOrder, holdConsultationDoctor, markPaid, onOwnOrder, runStateAction, type AdminInput, type StateAction } from './orders.service.js';

/** The fields of a Midtrans HTTP notification we rely on (the rest is stored raw). */
const notificationSchema = z
  .object({
    order_id: z.string().min(1).max(50),
    status_code: z.string().max(5),
    gross_amount: z.string().max(30),
    signature_key: z.string().max(200),
    transaction_status: z.string().min(1).max(30),
    transaction_id: z.string().min(1).max(100),
    fraud_status: z.string().max(20).optional(),
    payment_type: z.string().max(50).optional(),
    transaction_time: z.string().max(30).optional(),
  })
  .loose();

/**
 * Money that needs a person (a refund to make in Midtrans' dashboard, a reversal of a shipped
 * order): besides the server log, an audit entry staff read in `logs/*` (action `payment_alert`,
 * outcome `failure`, resource `orders` and the order's id when there is one), in the transaction
 * that processes the notification, so it is there exactly when the notification's outcome is.
 */
async function alertStaff(
  app: AppContext,
  tx: Tx,
  a: { orderId: number | null; orderCode?: string | null; result: string; message: string; midtransOrderId: string; transactionId?: string | null; transactionStatus: string; grossAmount: number | string },
) {
  await audit(
    app,
    {
      user: null,
      action: 'payment_alert',
      resource: 'orders',
      resourceId: a.orderId,
      outcome: 'failure',
      details: {
        result: a.result,
        message: a.message,
        order_code: a.orderCode ?? null,
        midtrans_order_id: a.midtransOrderId,
        transaction_id: a.transactionId ?? '',
        transaction_status: a.transactionStatus,
        gross_amount: a.grossAmount,
      },
    },
    tx,
  );
}

/** what receiving a notification did (stored as process_result and answered to Midtrans) */
export const NOTIFICATION_RESULTS = ['duplicate', 'unknown_order', 'amount_mismatch', 'already_paid', 'paid_not_current', 'paid', 'cancelled', 'reversed', 'reversed_manual', 'reversed_partial', 'ignored_state', 'ignored_late', 'noted'] as const;
export type NotificationResult = (typeof NOTIFICATION_RESULTS)[number];

const PAID = new Set(['settlement', 'capture']);
const FAILED = new Set(['expire', 'cancel', 'deny', 'failure']);
/** the money of a paid attempt taken back in full: refunded, charged back, a capture voided (cancel) or denied after settlement */
const REVERSED = new Set(['refund', 'chargeback', 'cancel', 'deny']);
/** part of the money of a paid attempt taken back: the order stays as it is */
const PARTLY_REVERSED = new Set(['partial_refund', 'partial_chargeback']);
const REFUNDS = new Set(['refund', 'chargeback', ...PARTLY_REVERSED]);

/** An amount as Midtrans prints it ("150000.00") in whole rupiah, or undefined. */
function rupiah(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\d{1,10}(\.00?)?$/.test(s)) return undefined;
  const n = Math.round(Number(s));
  return n <= 2_147_483_647 ? n : undefined;
}

/**
 * What a refund/chargeback notification says Midtrans has taken back from the transaction so far:
 * its `refund_amount` (the total: in Midtrans' sample the sum of `refunds[]`) or the sum of the
 * `refunds[]` history, whichever is larger (should refund_amount be only the latest refund, the sum
 * still counts them all). undefined when it says neither, and for any other notification.
 */
function refundedTotal(n: Record<string, unknown>): number | undefined {
  if (!REFUNDS.has(String(n.transaction_status))) return undefined;
  const total = rupiah(n.refund_amount);
  const each = Array.isArray(n.refunds) ? n.refunds.map((r) => rupiah(r?.refund_amount)) : [];
  const sum = each.length > 0 && each.every((a) => a !== undefined) ? each.reduce((s: number, a) => s + a!, 0) : undefined;
  if (total === undefined || sum === undefined) return total ?? sum;
  return Math.max(total, sum);
}

/**
 * Receives one notification: verify the signature, store it once (unique transaction + status +
 * fraud_status + refunded total: a duplicate is answered without reprocessing; a challenged capture
 * approved later arrives as capture again with fraud_status accept, a further partial refund as
 * partial_refund again with a larger total: new events), then apply it under a lock on the order.
 * Idempotent and order-independent: only CHECKOUT → PAID and CHECKOUT → CANCEL moves happen, each
 * a conditional update, so a late "expire" never moves a paid order back.
 */
export async function receiveNotification(app: AppContext, raw: unknown): Promise<{ result: NotificationResult }> {
  const parsed = notificationSchema.safeParse(raw);
  if (!parsed.success) throw badRequest('Invalid notification');
  const n = parsed.data;
  if (!verifySignature(app, n)) throw new HttpError(401, 'Invalid signature');
  const refunded = refundedTotal(n);
  const payment = await app.db.orderPayment.findUnique({ where: { midtrans_order_id: n.order_id } });
  let stored: { id: number; processed_at: Date | null };
  try {
    stored = await app.db.paymentNotification.create({
      data: {
        id_orders: payment?.id_orders ?? null,
        order_id: n.order_id,
        transaction_id: n.transaction_id,
        transaction_status: n.transaction_status,
        status_code: n.status_code,
        gross_amount: n.gross_amount,
        fraud_status: n.fraud_status ?? '',
        payment_type: n.payment_type ?? '',
        transaction_time: n.transaction_time ?? '',
        refunded_total: refunded ?? 0,
        raw: raw as object,
      },
    });
  } catch (err: any) {
    if (err?.code !== 'P2002') throw err;
    // seen before: done unless its processing failed (rolled back with its mark: this retry processes it)
    stored = await app.db.paymentNotification.findUniqueOrThrow({
      where: {
        transaction_id_transaction_status_fraud_status_refunded_total: {
          transaction_id: n.transaction_id, transaction_status: n.transaction_status, fraud_status: n.fraud_status ?? '', refunded_total: refunded ?? 0,
        },
      },
    });
    if (stored.processed_at) return { result: 'duplicate' };
  }
  // marked processed in the transaction that processes it: when that fails, nothing of it stays
  // and Midtrans' retry processes it once (a staff alert is not written twice). A delivery of it
  // processed meanwhile (Midtrans sent it again while this one was under way; the order's lock
  // made this one wait) has marked it: what this one did is rolled back, and it is a duplicate.
  const finish = async (result: NotificationResult, tx: Db) => {
    const { count } = await tx.paymentNotification.updateMany({ where: { id: stored.id, processed_at: null }, data: { processed_at: app.now(), process_result: result } });
    if (!count) throw new ProcessedMeanwhile();
    return { result };
  };
  try {
    if (!payment) return await app.db.$transaction(async (tx) => {
      if (PAID.has(n.transaction_status)) {
        // money for an order_id with no attempt here (a cart deleted after a checkout keeps its
        // attempts, closed: deleteCart; this is money for none of ours). The notification row keeps
        // what staff need to refund it in Midtrans' dashboard.
        app.logger.error(
          { order_id: n.order_id, gross_amount: n.gross_amount, transaction_id: n.transaction_id, transaction_status: n.transaction_status },
          'payment settled for an order that no longer exists: refund it',
        );
        await alertStaff(app, tx, { orderId: null, result: 'unknown_order', message: 'payment settled for an order that no longer exists: refund it', midtransOrderId: n.order_id, transactionId: n.transaction_id, transactionStatus: n.transaction_status, grossAmount: n.gross_amount });
      } else {
        app.logger.warn({ order_id: n.order_id }, 'midtrans notification for an unknown order');
      }
      return finish('unknown_order', tx);
    });
    // gross_amount arrives as "150000.00"; it must equal what this attempt asked for
    if (!/^\d+(\.00?)?$/.test(n.gross_amount) || Math.round(Number(n.gross_amount)) !== payment.gross_amount) {
      app.logger.warn({ order_id: n.order_id, gross_amount: n.gross_amount }, 'midtrans notification amount mismatch');
      return await finish('amount_mismatch', app.db);
    }
    const result = await applyStatus(app, payment.id_orders, payment.id, n.transaction_status, n.fraud_status ?? '', n.payment_type ?? '', n.transaction_id, refunded, (tx, r) => finish(r, tx));
    return { result };
  } catch (err) {
    if (err instanceof ProcessedMeanwhile) return { result: 'duplicate' };
    throw err;
  }
}

/** receiveNotification: another delivery of the notification processed it first. */
class ProcessedMeanwhile extends Error {}

/**
 * Applies a Midtrans transaction status to the order of one payment attempt (shared with the expiry
 * job); `refunded` is what a refund/chargeback notification says was taken back so far.
 */
async function applyStatus(
  app: AppContext, orderId: number, paymentId: number, status: string, fraud: string, paymentType: string, transactionId?: string, refunded?: number,
  done?: (tx: Tx, result: NotificationResult) => Promise<unknown>,
) {
  const apply = async (tx: Tx): Promise<NotificationResult> => {
    await lockOrder(tx, orderId);
    const payment = await tx.orderPayment.findUniqueOrThrow({ where: { id: paymentId } });
    const order = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
    const current = payment.attempt === order.payment_attempts && payment.status === 'PENDING';
    if (PAID.has(status) && (status === 'settlement' || fraud === '' || fraud === 'accept')) {
      // this attempt's money was applied already (a repeated or second PAID status of it)
      if (payment.status === 'PAID') return 'already_paid';
      if (!current || order.is_paid) {
        // money arrived for an attempt that is no longer the order's (uncheckout, cancelled, or the
        // order was paid through another attempt or by staff): the customer paid twice, or for
        // nothing; staff must refund or reconcile
        app.logger.error({ orderId, paymentId }, 'payment settled for a superseded or cancelled attempt');
        await alertStaff(app, tx, { orderId, orderCode: order.order_code, result: 'paid_not_current', message: 'payment settled for a superseded or cancelled attempt, or an order already paid: refund it', midtransOrderId: payment.midtrans_order_id, transactionId, transactionStatus: status, grossAmount: payment.gross_amount });
        await tx.orderPayment.update({ where: { id: paymentId }, data: { transaction_id: transactionId, payment_type: paymentType } });
        return 'paid_not_current';
      }
      const ok = await markPaid(app, tx, orderId, paymentType, null);
      await tx.orderPayment.update({ where: { id: paymentId }, data: { status: 'PAID', transaction_id: transactionId, payment_type: paymentType } });
      return ok ? 'paid' : 'ignored_state';
    }
    if (REVERSED.has(status) && (payment.status === 'PAID' || payment.status === 'UNDONE')) {
      // the attempt that paid the order lost its money: the order is cancelled (everything it held
      // or consumed given back, earned points taken back) while it can be; shipped or done, staff decide.
      // A payment staff undid (`unpaid`) pays the order no more: its refund changes nothing, also when
      // the order was paid again another way.
      await tx.orderPayment.update({ where: { id: paymentId }, data: { status: 'REFUNDED' } });
      if (payment.status === 'UNDONE' || !order.is_paid || order.status === 'CANCEL') return 'noted';
      const more = await takeBack(tx, order, payment.gross_amount);
      const ok = await cancelOrder(app, tx, orderId, { pic: 'midtrans', reason: `payment ${status}` });
      if (ok) return 'reversed';
      // the order stays as it is (shipped or done): the customer is told of the money given back, as of
      // a partial refund (a cancellation would have told them)
      if (more) await emit(app, 'order.refunded', { orderId, refunded: payment.gross_amount }, tx);
      app.logger.error({ orderId, paymentId, status }, 'payment reversed for an order that can no longer be cancelled');
      await alertStaff(app, tx, { orderId, orderCode: order.order_code, result: 'reversed_manual', message: 'payment reversed for an order that can no longer be cancelled', midtransOrderId: payment.midtrans_order_id, transactionId, transactionStatus: status, grossAmount: payment.gross_amount });
      return 'reversed_manual';
    }
    if ((status === 'refund' || status === 'chargeback') && payment.status !== 'REFUNDED') {
      // All the money of an attempt whose payment never paid the order here taken back: its
      // settlement's notification has not arrived yet (Midtrans retries it, maybe after this), or
      // it paid for nothing (paid_not_current). The attempt pays nothing any more (its late
      // settlement is paid_not_current, `unpaid` does not revive it); the unpaid checkout it was is
      // cancelled, as by a failed payment.
      await tx.orderPayment.update({ where: { id: paymentId }, data: { status: 'REFUNDED' } });
      if (!current || order.is_paid) return 'noted';
      const ok = await cancelOrder(app, tx, orderId, { pic: 'midtrans', reason: `payment ${status}` });
      return ok ? 'cancelled' : 'ignored_state';
    }
    if (PARTLY_REVERSED.has(status)) {
      let paidNow = false;
      if (current && !order.is_paid) {
        // Only settled money is refunded in part: the settlement's notification of this checkout's
        // attempt has not arrived yet (Midtrans retries it; it is already_paid then). The order is
        // paid as by that settlement, and what was taken back recorded below.
        if (!(await markPaid(app, tx, orderId, paymentType, null))) return 'ignored_state';
        await tx.orderPayment.update({ where: { id: paymentId }, data: { status: 'PAID', transaction_id: transactionId, payment_type: paymentType } });
        paidNow = true;
      } else if (payment.status !== 'PAID' || !order.is_paid || order.status === 'CANCEL') {
        // only the attempt that pays the order is its revenue (see the full reversal above)
        return 'noted';
      }
      if (refunded === undefined) {
        app.logger.error({ orderId, paymentId, status }, 'part of a payment was taken back by an amount the notification does not give; the reports still count it');
        await alertStaff(app, tx, { orderId, orderCode: order.order_code, result: paidNow ? 'paid' : 'noted', message: 'part of a payment was taken back by an amount the notification does not give; the reports still count it', midtransOrderId: payment.midtrans_order_id, transactionId, transactionStatus: status, grossAmount: payment.gross_amount });
        return paidNow ? 'paid' : 'noted';
      }
      const amount = Math.min(refunded, payment.gross_amount);
      // the customer is told of money given back once, when the total grows (notifications repeat)
      if (await takeBack(tx, order, amount)) await emit(app, 'order.refunded', { orderId, refunded: amount }, tx);
      app.logger.warn({ orderId, paymentId, status, refunded }, 'part of a payment was taken back; the order is unchanged');
      return 'reversed_partial';
    }
    if (FAILED.has(status)) {
      if (!current || order.is_paid) return 'ignored_late';
      await tx.orderPayment.update({ where: { id: paymentId }, data: { status: status === 'expire' ? 'EXPIRED' : 'FAILED', transaction_id: transactionId } });
      const ok = await cancelOrder(app, tx, orderId, { pic: 'midtrans', reason: `payment ${status}` });
      return ok ? 'cancelled' : 'ignored_state';
    }
    return 'noted';
  };
  // `done` (the notification marked processed) commits with what applying it did
  return app.db.$transaction(async (tx) => {
    const result = await apply(tx);
    await done?.(tx, result);
    return result;
  });
}

/**
 * Records on the order (locked, read under the lock) what Midtrans has taken back of its payment.
 * Only ever raised: notifications repeat and arrive out of order, and each says the total so far.
 */
async function takeBack(tx: Tx, order: { id: number; refunded_amount: number }, amount: number): Promise<boolean> {
  if (amount <= order.refunded_amount) return false;
  await tx.order.update({ where: { id: order.id }, data: { refunded_amount: amount } });
  return true;
}

/**
 * Expires unpaid checkouts past expires_at. Asks Midtrans first, so a payment whose notification
 * was lost is applied instead of cancelled; when Midtrans cannot be reached the order waits.
 */
export async function expireUnpaidCheckouts(app: AppContext, stopping?: AbortSignal) {
  let cancelled = 0;
  // every due order in pages by id: the ones Midtrans still calls pending (or could not be asked
  // about) stay due, and a first page of them taken every run would keep the rest from expiring
  for (let after = 0; ; ) {
    const due = await app.db.order.findMany({
      where: { status: 'CHECKOUT', is_paid: 0, expires_at: { lte: app.now() }, id: { gt: after } },
      include: { payments: { where: { status: 'PENDING' }, orderBy: { attempt: 'desc' }, take: 1 } },
      orderBy: { id: 'asc' },
      take: EXPIRY_PAGE,
    });
    for (const order of due) {
      if (stopping?.aborted) return cancelled; // shutting down: the next process's run goes on
      // one order that cannot be expired (its cancellation fails) is logged and left for the next
      // run: it must not stop the orders after it, which every run would otherwise meet behind it
      try {
        if (await expireCheckout(app, order)) cancelled += 1;
      } catch (err) {
        app.logger.error({ err, orderId: order.id }, 'expiring an unpaid checkout failed');
      }
    }
    if (due.length < EXPIRY_PAGE) return cancelled;
    after = due[due.length - 1]!.id;
  }
}

const EXPIRY_PAGE = 100;

/** One due checkout: paid meanwhile (applied), still pending at Midtrans (left), or cancelled. */
async function expireCheckout(app: AppContext, order: { id: number; payments: { id: number; midtrans_order_id: string; gross_amount: number }[] }) {
  const payment = order.payments[0];
  if (payment && !isSimulator(app)) {
    const st = await getTransactionStatus(app, payment.midtrans_order_id);
    if (!st) return false;
    const s = typeof st.transaction_status === 'string' ? st.transaction_status : '';
    if ((PAID.has(s) || PARTLY_REVERSED.has(s)) && rupiah(st.gross_amount) !== payment.gross_amount) {
      // Midtrans holds money for it (settled, or settled and refunded in part), but not (or not
      // readably) this attempt's amount: neither paid nor cancelled, staff look (the webhook leaves
      // such a notification alone: amount_mismatch)
      app.logger.error({ orderId: order.id, transaction_status: s, gross_amount: typeof st.gross_amount === 'string' ? st.gross_amount.slice(0, 30) : typeof st.gross_amount }, 'midtrans says paid, for another amount; the checkout waits');
      return false;
    }
    if (PAID.has(s)) {
      // what the answer says in another type (or longer than the columns) is not read: the update
      // would fail, and the job with it, at this same order every run
      const text = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : '');
      // (a fraud_status that cannot be read is not "none": a capture is paid only without one or
      // accepted; an empty one is none, as the webhook reads it)
      const fraud = st.fraud_status == null || st.fraud_status === '' ? '' : text(st.fraud_status, 20) || 'unreadable';
      await applyStatus(app, order.id, payment.id, s, fraud, text(st.payment_type, 50), text(st.transaction_id, 100) || undefined);
      return false;
    }
    if (s === 'refund' || s === 'chargeback') {
      // paid and given back in full before the settlement's notification reached us: as the webhook takes it
      return (await applyStatus(app, order.id, payment.id, s, '', '')) === 'cancelled';
    }
    if (PARTLY_REVERSED.has(s)) {
      // paid and given back in part: paid, with what was taken back, as the webhook takes it
      await applyStatus(app, order.id, payment.id, s, '', '', undefined, refundedTotal(st as Record<string, unknown>));
      return false;
    }
    if (s === 'pending') {
      // Midtrans still waits for the customer (its own expiry will notify us); give it a little longer
      return false;
    }
    // Only a payment Midtrans says is over (or never started) cancels the order: an answer without
    // a status, or one this API does not handle (e.g. a card only authorized), waits for the next run
    if (!PAID.has(s) && !FAILED.has(s) && s !== 'not_found') {
      app.logger.error({ orderId: order.id, transaction_status: typeof st.transaction_status === 'string' ? st.transaction_status.slice(0, 30) : typeof st.transaction_status }, 'midtrans status unreadable or unhandled; the checkout waits');
      return false;
    }
  }
  const done = await app.db.$transaction(async (tx) => {
    await lockOrder(tx, order.id);
    // Read again under the lock: while Midtrans was asked, the payment may have been applied, or
    // the customer may have gone back to the cart and checked out anew (a new attempt, a new expiry).
    const now = await tx.order.findUnique({ where: { id: order.id }, select: { status: true, is_paid: true, expires_at: true } });
    if (!now || now.status !== 'CHECKOUT' || now.is_paid || !now.expires_at || now.expires_at > app.now()) return false;
    const pending = await tx.orderPayment.findFirst({ where: { id_orders: order.id, status: 'PENDING' }, orderBy: { attempt: 'desc' }, select: { id: true } });
    if ((pending?.id ?? null) !== (payment?.id ?? null)) return false;
    if (payment) await tx.orderPayment.updateMany({ where: { id: payment.id, status: 'PENDING' }, data: { status: 'EXPIRED' } });
    return cancelOrder(app, tx, order.id, { pic: 'system', reason: 'payment expired' });
  });
  return Boolean(done);
}

/** The simulator's notification for a payment attempt, signed like Midtrans signs it. */
export function simulatedNotification(app: AppContext, payment: { midtrans_order_id: string; gross_amount: number; id: number }, outcome: 'settlement' | 'deny' | 'expire') {
  const status_code = outcome === 'settlement' ? '200' : outcome === 'expire' ? '407' : '202';
  const gross_amount = `${payment.gross_amount}.00`;
  return {
    // as Midtrans writes it: Asia/Jakarta wall-clock time, on the app's clock
    transaction_time: formatDateTime(app.now()),
    transaction_status: outcome,
    transaction_id: `sim-${payment.id}-${outcome}`,
    status_message: 'midtrans payment notification',
    status_code,
    signature_key: signature(payment.midtrans_order_id, status_code, gross_amount, signingKey(app)),
    payment_type: 'simulator',
    order_id: payment.midtrans_order_id,
    merchant_id: 'SIMULATOR',
    gross_amount,
    fraud_status: 'accept',
    currency: 'IDR',
  };
}

/** orders/:id/paid (staff): a manual payment, CHECKOUT → PAID; the pending Midtrans attempt is superseded. */
export function markPaidByAdmin(app: AppContext, user: AuthUser, orderId: number, input: AdminInput & { pay_channel: string }, beforeCommit?: BeforeCommit) {
  return onOwnOrder(app, user, orderId, async (tx, order) => {
    await assertAdminNamed(tx, user, input);
    const ok = await markPaid(app, tx, order.id, input.pay_channel, adminStamp(user, input));
    if (!ok) throw conflict(`Cannot mark an order in status ${order.status} as paid (allowed from CHECKOUT)`);
    await tx.orderPayment.updateMany({ where: { id_orders: order.id, status: 'PENDING' }, data: { status: 'SUPERSEDED' } });
  }, beforeCommit);
}

/** orders/:id/unpaid (staff): PAID → CHECKOUT before fulfilment starts, with a fresh payment window. */
const UNDO_PAYMENT: StateAction<AdminInput> = {
  action: 'unpaid',
  verb: 'undo the payment of',
  from: ['PAID'],
  where: { reservation_status: 'CONSUMED' },
  to: 'CHECKOUT',
  check: (tx, { user, input }) => assertAdminNamed(tx, user, input),
  data: ({ app, user, input, now }) => ({
    // a payment made again is new money: what Midtrans took back of the undone one is not its
    is_paid: 0, paid_date: null, pay_channel: '', reservation_status: 'RESERVED', refunded_amount: 0,
    ...adminStamp(user, input),
    expires_at: new Date(now.getTime() + app.config.PAYMENT_EXPIRY_MINUTES * 60_000),
  }),
  after: async (tx, { order }) => {
    // A consultation's checkout awaiting payment is one of its doctor (doctors/:id/delete refuses
    // while one exists, and checkout refuses a deleted doctor): once its doctor was deleted (after
    // the consultation ended), paid again it would open the thread to that doctor. Decided with the
    // doctor's row held, as checkout does: a deletion at the same moment comes first or sees it.
    if (order.order_type === 'C') {
      await holdConsultationDoctor(tx, order.id);
      const gone = await tx.orderExtra.count({ where: { id_orders: order.id, OR: [{ id_doctors: null }, { doctor: { deleted_at: { not: null } } }] } });
      if (gone) throw conflict('The consultation’s doctor is no longer available: cancel the order instead');
    }
    // consumption goes back to a reservation: promotion use → reserved, points used → held, earned points taken back
    const usages = await tx.promotionUsage.findMany({ where: { id_orders: order.id, status: 'USED' } });
    for (const u of usages) {
      await tx.promotionUsage.update({ where: { id: u.id }, data: { status: 'RESERVED' } });
      await tx.$executeRaw`UPDATE promotions SET quota_used = quota_used - 1, quota_reserved = quota_reserved + 1 WHERE id = ${u.id_promotions} AND quota_used > 0`;
    }
    await tx.userPoint.updateMany({ where: { id_orders: order.id, usecase: 'order-use' }, data: { is_used: 0 } });
    await reverseEarned(tx, order.id);
    await tx.userPoint.updateMany({ where: { id_orders_earned: order.id }, data: { id_orders_earned: null } });
    // the Midtrans payment undone no longer pays the order (its refund must not cancel the order paid again)
    await tx.orderPayment.updateMany({ where: { id_orders: order.id, status: 'PAID' }, data: { status: 'UNDONE' } });
    // the checkout's Midtrans attempt that a manual payment superseded is again how the order is
    // paid (its Snap page is the one the order still offers): money arriving on it pays the order
    await tx.orderPayment.updateMany({ where: { id_orders: order.id, attempt: order.payment_attempts, status: 'SUPERSEDED' }, data: { status: 'PENDING' } });
  },
};
export const undoPayment = (app: AppContext, user: AuthUser, orderId: number, input: AdminInput, beforeCommit?: BeforeCommit) =>
  runStateAction(app, user, orderId, UNDO_PAYMENT, input, beforeCommit);
