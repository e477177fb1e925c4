import { generateKeyPairSync } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverPendingPushes } from '../../src/modules/notifications/notifications.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readBody } from '../helpers/fake-servers.js';

// FCM's OAuth2 token endpoint failing. One token request is shared by every send: when it fails the
// pushes wait for their next attempt, and when it never ends it must still end, or no push is sent
// again until the server restarts.

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
/** what the token endpoint does with each request, in turn; then it issues tokens */
const tokenAnswers: ('trickle' | 'unavailable')[] = [];
const tokenRequests: { answer: string; closed: boolean }[] = [];
const sent: string[] = [];
const open = new Set<ServerResponse>();
const server = createServer(async (req, res) => {
  const body = await readBody(req);
  if (req.url === '/token') {
    const answer = tokenAnswers.shift() ?? 'token';
    const seen = { answer, closed: false };
    tokenRequests.push(seen);
    res.on('close', () => (seen.closed = true));
    if (answer === 'unavailable') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
    if (answer === 'trickle') {
      // an answer a byte at a time: never idle long enough for an idle timeout
      open.add(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":"ya29.');
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.ok', expires_in: 3599, token_type: 'Bearer' }));
  }
  if (req.headers.authorization !== 'Bearer ya29.ok') return void res.writeHead(401).end('{}');
  sent.push(JSON.parse(body).message.token);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'projects/p/messages/1' }));
});

let t: TestApp;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // PUSH_TIMEOUT_MS also bounds the token request. 3 s (it was 1 s, which a loaded machine can take
  // for a refused or a successful attempt): the trickled answer never ends without the bound, so the
  // test still fails without it, only 2 s later.
  t = await createTestApp({ FCM_PROJECT_ID: 'p', FCM_CLIENT_EMAIL: 'fcm@p.iam.gserviceaccount.com', FCM_PRIVATE_KEY: privateKey, FCM_TOKEN_URL: `${url}/token`, FCM_API_URL: url, PUSH_TIMEOUT_MS: '3000' });
});
afterAll(async () => {
  await t.close();
  for (const res of open) res.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the FCM access token', () => {
  it('a refused or never-ending token request leaves the push for its next attempt, and a later one gets a fresh token', async () => {
    const u = await t.user(['CUSTOMER']);
    const note = await t.app.db.notification.create({ data: { id_user_to: u.id, title: 'x', intentions: 'test' } });
    await t.app.db.userDeviceToken.create({ data: { device_token: 'phone-token-0001', id_users: u.id } });
    const row = await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: u.id, device_token: 'phone-token-0001' } });
    const due = () => t.app.db.pushDelivery.update({ where: { id: row.id }, data: { next_attempt_at: new Date(Date.now() - 1000) } });

    tokenAnswers.push('unavailable', 'trickle');
    expect(await deliverPendingPushes(t.app)).toBe(1);
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'PENDING', attempts: 1, last_error: expect.stringContaining('503') });

    await due();
    expect(await deliverPendingPushes(t.app)).toBe(1);
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'PENDING', attempts: 2 });
    // the trickled token request is ended, not left for every later send to wait on
    await vi.waitFor(() => expect(tokenRequests[1]).toEqual({ answer: 'trickle', closed: true }), { timeout: 10_000, interval: 50 });

    await due();
    expect(await deliverPendingPushes(t.app)).toBe(1);
    expect(await t.app.db.pushDelivery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: 3 });
    expect(sent).toEqual(['phone-token-0001']);
    expect(tokenRequests.map((r) => r.answer)).toEqual(['unavailable', 'trickle', 'token']);
  });
});
