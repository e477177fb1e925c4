import type { AppContext } from '../app-context.js';
import type { Tx } from '../db/client.js';
import type { AuthUser } from '../http/auth-user.js';

/**
 * Domain events between modules (Medusa-style: modules do not call each other's internals).
 * Handlers run inside the emitting transaction, so their writes (a thread for a paid consultation,
 * a stored notification) commit or roll back with the change; they must be quick database work.
 * Slow work (push, e-mail) goes to an outbox that a background job sends after the answer.
 */
export interface DomainEvents {
  'order.paid': { orderId: number };
  'order.cancelled': { orderId: number; reason?: string };
  'order.shipped': { orderId: number; nomor_resi: string };
  /** Midtrans gave money of its payment back, the order staying as it is (a partial refund; a full one once shipped); `refunded`: all given back so far */
  'order.refunded': { orderId: number; refunded: number };
  'order.status_changed': { orderId: number; status: string };
  'appointment.booked': { appointmentId: number };
  /** previousDoctorId: the doctor it had before (told too when it moves to another doctor) */
  'appointment.rescheduled': { appointmentId: number; previousDoctorId: number };
  'appointment.cancelled': { appointmentId: number };
  /** coming appointments that went with their patient into another account (handUpcomingTo); previousUserId: the account each was in the name of */
  'appointment.handed_over': { moved: { appointmentId: number; previousUserId: number }[] };
  'medical_record.verified': { recordId: number; patientId: number };
  'prescription.requested': { requestId: number; userId: number; menuId: number };
  /**
   * a promotion about to be edited or deleted, before its row is written: the open carts that
   * applied it are locked first (a checkout locks its order, then the promotion: the same order)
   */
  'promotion.changing': { promotionId: number };
  /** a promotion edited or deleted: the open carts that applied it show its new discount */
  'promotion.changed': { promotionId: number };
  'thread.message': { threadId: number; messageId: number; authorId: number; kind: string };
  /**
   * an account about to be deleted, before its row is locked: what other modules remove with it is
   * locked first (a checkout locks its order, then writes rows that reference the account)
   */
  'account.deleting': { userId: number };
  /** an account deleted (its row written, still locked): what other modules remove with it goes in the same transaction */
  'account.deleted': { userId: number; by: AuthUser | undefined };
}

type Handler<K extends keyof DomainEvents> = (app: AppContext, payload: DomainEvents[K], tx: Tx) => Promise<void>;
const handlers: { [K in keyof DomainEvents]?: Handler<K>[] } = {};

export function on<K extends keyof DomainEvents>(event: K, handler: Handler<K>) {
  ((handlers[event] ??= []) as Handler<K>[]).push(handler);
}

export async function emit<K extends keyof DomainEvents>(app: AppContext, event: K, payload: DomainEvents[K], tx: Tx) {
  for (const handler of (handlers[event] ?? []) as Handler<K>[]) await handler(app, payload, tx);
}
