import { z } from 'zod';
import { clientKey, isSimulator, SIMULATOR_PREFIX, snapJsUrl } from '../../adapters/midtrans.js';
import { HttpError, notFound } from '../../http/errors.js';
import { route, type RouteDef } from '../../http/route.js';
import * as r from '../../http/response.js';
import { NOTIFICATION_RESULTS, receiveNotification, simulatedNotification, type NotificationResult } from './payments.service.js';

const notificationResult = z.enum(NOTIFICATION_RESULTS);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const paymentRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/payments/webhooks/clients',
    access: 'public',
    tag: 'payments',
    summary: 'Midtrans Snap client settings for the apps',
    response: z.object({ snap_js: r.str, client_key: r.str }),
    handler: (ctx) => ({ snap_js: snapJsUrl(ctx.app), client_key: clientKey(ctx.app) }),
  }),
  route({
    method: 'post',
    path: '/payments/webhooks/midtrans',
    access: 'public',
    tag: 'payments',
    summary: 'Midtrans HTTP notification receiver (signature-verified, idempotent)',
    response: z.object({ status: z.literal('ok'), result: notificationResult }),
    handler: async (ctx) => ({ status: 'ok', ...(await receiveNotification(ctx.app, ctx.req.body)) }),
  }),
  // the payment simulator (only without Midtrans keys): a page that pays or fails the attempt by
  // sending a correctly signed notification to the same webhook path as Midtrans'
  route({
    method: 'get',
    path: `${SIMULATOR_PREFIX}/:token`,
    access: 'public',
    tag: 'payments',
    summary: 'Payment simulator page (no Midtrans keys configured)',
    params: z.object({ token: z.uuid() }),
    produces: ['text/html'],
    handler: async (ctx) => {
      if (!isSimulator(ctx.app)) throw notFound();
      const p = await ctx.app.db.orderPayment.findFirst({ where: { snap_token: ctx.params.token } });
      if (!p) throw notFound('Unknown payment');
      const action = (o: string) => `${SIMULATOR_PREFIX}/${ctx.params.token}/${o}`;
      ctx.res.type('html').send(`<!doctype html><meta charset="utf-8"><title>Payment simulator</title>
<h1>Payment simulator</h1><p>Order ${esc(p.midtrans_order_id)}: IDR ${p.gross_amount}</p><p>Status: ${esc(p.status)}</p>
<form method="post" action="${action('pay')}"><button>Pay</button></form>
<form method="post" action="${action('fail')}"><button>Fail</button></form>`);
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: `${SIMULATOR_PREFIX}/:token/:outcome`,
    access: 'public',
    tag: 'payments',
    summary: 'Payment simulator: pay or fail the attempt',
    params: z.object({ token: z.uuid(), outcome: z.enum(['pay', 'fail', 'expire']) }),
    response: z.object({ simulated: z.enum(['settlement', 'deny', 'expire']), result: notificationResult }),
    handler: async (ctx) => {
      if (!isSimulator(ctx.app)) throw notFound();
      const p = await ctx.app.db.orderPayment.findFirst({ where: { snap_token: ctx.params.token } });
      if (!p) throw notFound('Unknown payment');
      const outcome = ctx.params.outcome === 'pay' ? 'settlement' : ctx.params.outcome === 'fail' ? 'deny' : 'expire';
      // Posted over HTTP to this server's own webhook path, exactly as Midtrans would send it.
      const local = ctx.req.socket.localAddress ?? '127.0.0.1';
      const host = local.startsWith('::ffff:') ? local.slice(7) : local.includes(':') ? `[${local}]` : local;
      const answer = await fetch(`http://${host}:${ctx.req.socket.localPort}/payments/webhooks/midtrans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(simulatedNotification(ctx.app, p, outcome)),
      });
      const body = (await answer.json()) as { result?: NotificationResult; message?: string };
      if (!answer.ok || !body.result) throw new HttpError(502, `The webhook refused the simulated notification (${answer.status}): ${body.message ?? ''}`);
      return { simulated: outcome, result: body.result };
    },
  }),
];
