import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { eCart, menu, stockOf } from './fixtures.js';

// Midtrans accepting the connection and never answering (a hung load balancer, a network
// partition). Without a bound the checkout request hangs and the expiry job, which never overlaps
// itself, stops expiring every other order.

let t: TestApp;
const hung: ServerResponse[] = [];
let requests = 0;
const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
  requests += 1;
  hung.push(res);
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ MIDTRANS_SERVER_KEY: 'SB-Mid-server-k', MIDTRANS_CLIENT_KEY: 'c', MIDTRANS_SNAP_URL: `${url}/snap/v1`, MIDTRANS_API_URL: url, MIDTRANS_TIMEOUT_MS: '1500' });
});
afterAll(async () => {
  await t.close();
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Midtrans not answering', () => {
  it('a checkout answers 503 after MIDTRANS_TIMEOUT_MS and the order is the cart again, its stock given back', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    const stock = await stockOf(t, m.id, 2);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(r.status).toBe(503);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1, reservation_status: 'NONE' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
  });

  it('the expiry job finishes (the order waits for the next run) instead of hanging on the status call', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    await stockOf(t, m.id, 2);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    const order = await t.app.db.order.update({ where: { id }, data: { status: 'CHECKOUT', cart_open: null, order_code: `E-TIMEOUT-${id}`, payment_attempts: 1, expires_at: new Date(Date.now() - 1000) } });
    await t.app.db.orderPayment.create({ data: { id_orders: id, attempt: 1, midtrans_order_id: order.order_code!, gross_amount: 40_000 } });
    const before = requests;
    expect(await expireUnpaidCheckouts(t.app)).toBe(0);
    expect(requests).toBe(before + 1);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT' });
  });
});
