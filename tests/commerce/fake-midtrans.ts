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
    setSnapDown: (v: boolean) => (failSnap = v),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A settlement notification for `orderId` of `gross` rupiah, signed with `serverKey` as Midtrans signs it. */
export function settlementNotification(serverKey: string, orderId: string, gross: number) {
  const gross_amount = `${gross}.00`;
  const signature_key = createHash('sha512').update(orderId + '200' + gross_amount + serverKey).digest('hex');
  return { transaction_status: 'settlement', transaction_id: `trx-${orderId}`, status_code: '200', gross_amount, signature_key, payment_type: 'bank_transfer', order_id: orderId, fraud_status: 'accept' };
}
