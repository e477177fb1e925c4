import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../helpers/fake-servers.js';

/**
 * A local stand-in for Midtrans: Snap `POST /snap/v1/transactions` (Basic auth with the server
 * key, answers {token, redirect_url}) and the status API `GET /v2/{order_id}/status`.
 */
export async function startFakeMidtrans(serverKey: string) {
  const snapRequests: any[] = [];
  const statuses = new Map<string, Record<string, unknown>>();
  /** the order ids the status API was asked about, in order */
  const statusRequests: string[] = [];
  let failSnap = false;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const authOk = req.headers.authorization === `Basic ${Buffer.from(`${serverKey}:`).toString('base64')}`;
    res.setHeader('content-type', 'application/json');
    if (!authOk) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error_messages: ['Access denied'] }));
      return;
    }
    if (req.method === 'POST' && req.url === '/snap/v1/transactions') {
      if (failSnap) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error_messages: ['down'] }));
        return;
      }
      const parsed = JSON.parse(body);
      // Snap's validation of what this API sends (400 with error_messages, as Midtrans answers)
      const invalid = snapValidationErrors(parsed);
      if (invalid.length) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error_messages: invalid }));
        return;
      }
      if (snapRequests.some((r) => r.transaction_details.order_id === parsed.transaction_details.order_id)) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error_messages: ['transaction_details.order_id sudah digunakan'] }));
        return;
      }
      snapRequests.push(parsed);
      const token = `tok-${snapRequests.length}-${parsed.transaction_details.order_id}`;
      res.statusCode = 201;
      res.end(JSON.stringify({ token, redirect_url: `https://app.sandbox.midtrans.com/snap/v3/redirection/${token}` }));
      return;
    }
    const m = /^\/v2\/([^/]+)\/status$/.exec(req.url ?? '');
    if (req.method === 'GET' && m) {
      statusRequests.push(decodeURIComponent(m[1]!));
      const st = statuses.get(decodeURIComponent(m[1]!));
      res.statusCode = 200;
      res.end(JSON.stringify(st ?? { status_code: '404', status_message: "Transaction doesn't exist." }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    snapRequests,
    statuses,
    statusRequests,
    setSnapDown: (v: boolean) => (failSnap = v),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * What Snap refuses in a create-transaction request (the checks that apply to what this API sends):
 * gross_amount a positive whole rupiah amount, item_details (when sent) summing exactly to it with
 * whole prices and positive quantities, order_id at most 50 characters of [A-Za-z0-9-_.~], and
 * customer_details.email, when present, a well-formed address (an empty string is refused:
 * "customer_details.email format is invalid").
 */
export function snapValidationErrors(req: any): string[] {
  const errors: string[] = [];
  const td = req?.transaction_details ?? {};
  if (typeof td.order_id !== 'string' || !/^[A-Za-z0-9\-_.~]{1,50}$/.test(td.order_id)) errors.push('transaction_details.order_id is invalid');
  if (!Number.isInteger(td.gross_amount) || td.gross_amount < 1) errors.push('transaction_details.gross_amount must be a positive integer');
  if (req?.item_details !== undefined) {
    const items: any[] = Array.isArray(req.item_details) ? req.item_details : [];
    if (items.some((i) => !Number.isInteger(i.price) || !Number.isInteger(i.quantity) || i.quantity < 1 || typeof i.name !== 'string' || !i.name)) {
      errors.push('item_details is invalid');
    } else if (items.reduce((s, i) => s + i.price * i.quantity, 0) !== td.gross_amount) {
      errors.push('transaction_details.gross_amount is not equal to the sum of item_details');
    }
  }
  const email = req?.customer_details?.email;
  if (email !== undefined && !(typeof email === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) errors.push('customer_details.email format is invalid');
  return errors;
}

/** A settlement notification for `orderId` of `gross` rupiah, signed with `serverKey` as Midtrans signs it. */
export function settlementNotification(serverKey: string, orderId: string, gross: number) {
  const gross_amount = `${gross}.00`;
  const signature_key = createHash('sha512').update(orderId + '200' + gross_amount + serverKey).digest('hex');
  return { transaction_status: 'settlement', transaction_id: `trx-${orderId}`, status_code: '200', gross_amount, signature_key, payment_type: 'bank_transfer', order_id: orderId, fraud_status: 'accept' };
}
