import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, requestHold } from '../helpers/fake-servers.js';
import jwt from 'jsonwebtoken';

/**
 * A local server speaking FCM HTTP v1: the OAuth2 token endpoint (JWT-bearer grant, assertion
 * checked against the service account's public key) and `POST /v1/projects/{p}/messages:send`.
 * Device tokens decide the answer: `dead-*` → 404 UNREGISTERED, `bad-*` → 400 INVALID_ARGUMENT,
 * `flaky-*` → 503 UNAVAILABLE the first `flakyFailures` times, `busy-*` → 429 QUOTA_EXCEEDED with
 * `Retry-After: 600` (seconds), `slow-*` → 200 after `slowMs` (the message counts as sent on
 * arrival; `answered` lists the slow tokens whose answer was written to a request not cut off), a token passed to
 * `hold` → no answer until the test releases it (then 503 UNAVAILABLE), others → 200. As the real service, a message whose payload (notification and data,
 * keys and values) passes 4096 bytes is refused with 400 INVALID_ARGUMENT and a google.rpc.BadRequest
 * detail naming the field, whatever its token: a request error, not a dead token.
 */
export async function startFakeFcm(opts: { publicKey: string; clientEmail: string; projectId: string; flakyFailures?: number; slowMs?: number }) {
  const sent: { token: string; title: string; body: string; data: Record<string, string> }[] = [];
  /** The tokens of the messages answered UNREGISTERED (`dead-*`), one entry per refused send. */
  const unregistered: string[] = [];
  const tokenRequests: string[] = [];
  const failures = new Map<string, number>();
  const issued = new Set<string>();
  const answered: string[] = [];
  const holds = new Map<string, ReturnType<typeof requestHold>>();
  /** The next send to `token` waits unanswered until `release()`, then fails (503 UNAVAILABLE). */
  const hold = (token: string) => {
    const held = requestHold();
    holds.set(token, held);
    return held;
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.method === 'POST' && req.url === '/token') {
      const form = new URLSearchParams(body);
      try {
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new Error('grant');
        const claims = jwt.verify(form.get('assertion') ?? '', opts.publicKey, { algorithms: ['RS256'], audience: `${base}/token`, issuer: opts.clientEmail }) as { scope: string };
        if (claims.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
      } catch {
        return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      }
      const token = `ya29.fake-${issued.size + 1}`;
      issued.add(token);
      tokenRequests.push(token);
      return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (req.method === 'POST' && m) {
      const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!issued.has(auth)) return json(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
      if (m[1] !== opts.projectId) return json(403, { error: { code: 403, message: 'SenderId mismatch', status: 'PERMISSION_DENIED' } });
      const msg = JSON.parse(body).message;
      const fcmError = (code: number, status: string, errorCode: string) =>
        json(code, { error: { code, message: errorCode, status, details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] } });
      const payload = [msg.notification?.title, msg.notification?.body, ...Object.entries(msg.data ?? {}).flat()].join('');
      if (Buffer.byteLength(payload) > 4096) {
        const description = 'Message is too big. Limit is 4096 bytes.';
        return json(400, {
          error: { code: 400, message: description, status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message', description }] }] },
        });
      }
      if (msg.token.startsWith('dead-')) unregistered.push(msg.token);
      if (msg.token.startsWith('dead-')) return fcmError(404, 'NOT_FOUND', 'UNREGISTERED');
      if (msg.token.startsWith('bad-')) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT');
      if (msg.token.startsWith('busy-')) {
        res.setHeader('Retry-After', '600');
        return fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED');
      }
      const held = holds.get(msg.token);
      if (held) {
        holds.delete(msg.token);
        await held.pass();
        return fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE');
      }
      if (msg.token.startsWith('flaky-')) {
        const n = failures.get(msg.token) ?? 0;
        if (n < (opts.flakyFailures ?? 1)) {
          failures.set(msg.token, n + 1);
          return fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE');
        }
      }
      sent.push({ token: msg.token, title: msg.notification.title, body: msg.notification.body, data: msg.data });
      const name = `projects/${m[1]}/messages/${sent.length}`;
      if (msg.token.startsWith('slow-')) {
        let gone = false;
        res.on('close', () => (gone = true));
        await new Promise((r) => setTimeout(r, opts.slowMs ?? 0));
        if (gone) return; // the sender cut the request off: nobody gets the answer
        answered.push(msg.token);
      }
      return json(200, { name });
    }
    json(404, { error: { code: 404, message: 'not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, sent, unregistered, answered, tokenRequests, hold, close: () => new Promise<void>((r) => server.close(() => r())) };
}
