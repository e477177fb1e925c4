import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { createContext } from '../src/context.js';
import { stopServing } from '../src/http/shutdown.js';
import { requestLog } from '../src/http/request-log.js';
import { answerClientErrors, serverOptions } from '../src/http/server-options.js';
import net from 'node:net';
import { createTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('platform', () => {
  it('reports health including the database', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers one JSON error shape for unknown routes, malformed JSON and oversized bodies', async () => {
    const missing = await t.http.get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404 });
    const malformed = await t.http.post('/users/login').set('Content-Type', 'application/json').send('{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ status: 400, message: 'Malformed JSON body' });
    const big = await t.http.post('/users/login').send({ username: 'x'.repeat(2 * 1024 * 1024), password: 'y' });
    expect(big.status).toBe(413);
    expect(big.body.status).toBe(413);
    const badId = await t.http.get('/users/abc').set(t.auth(await t.user(['ADMIN'])));
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body)).not.toMatch(/at .*\.ts/);
  });

  it('matches parameterised paths as Express does: any case, one trailing slash', async () => {
    const admin = await t.user(['ADMIN']);
    const A = t.auth(admin);
    const plain = await t.http.get(`/users/${admin.id}`).set(A);
    expect(plain.status).toBe(200);
    for (const path of [`/USERS/${admin.id}`, `/users/${admin.id}/`, `/Users/${admin.id}/`]) {
      const res = await t.http.get(path).set(A);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toEqual(plain.body);
    }
    // an unknown first segment, and a known one with an unknown rest, are 404s
    for (const path of ['/nope/1', `/users/${admin.id}/nope/deeper`, '/']) {
      const res = await t.http.get(path).set(A);
      expect(res.status, path).toBe(404);
      expect(res.body.status, path).toBe(404);
    }
  });

  it('answers 405 with Allow for a known path asked with a method it does not take, 404 for an unknown path', async () => {
    const login = await t.http.delete('/users/login');
    expect([login.status, login.headers.allow, login.body.status]).toEqual([405, 'POST', 405]);
    const update = await t.http.patch('/menus/5/update');
    expect([update.status, update.headers.allow]).toEqual([405, 'PUT, POST']);
    const get = await t.http.delete('/Menus/5/');
    expect([get.status, get.headers.allow]).toEqual([405, 'GET, HEAD']);
    for (const path of ['/nope/1', '/users/1/nope']) expect((await t.http.delete(path)).status, path).toBe(404);
    // the right method still answers
    expect((await t.http.get('/menus/999999')).status).toBe(404);
  });

  it('accepts JSON only where JSON is expected', async () => {
    const form = await t.http.post('/users/login').type('form').send({ username: 'a', password: 'b' });
    expect(form.status).toBe(415);
    expect(form.body.status).toBe(415);
    const text = await t.http.post('/users/login').set('Content-Type', 'text/plain').send('username=a');
    expect(text.status).toBe(415);
    const admin = await t.user(['ADMIN']);
    // DataTables posts forms
    const table = await t.http.post('/users/table').set(t.auth(admin)).type('form').send('draw=4&start=0&length=5&search[value]=&order[0][column]=0&order[0][dir]=asc');
    expect(table.status).toBe(200);
    expect(table.body.draw).toBe(4);
    // a JSON type by its suffix is accepted as JSON, so it is read as JSON (it was taken for no body)
    const suffixed = await t.http.post('/users/table').set(t.auth(admin)).set('Content-Type', 'application/merge-patch+json').send('{"draw":7}');
    expect([suffixed.status, suffixed.body.draw]).toEqual([200, 7]);
    const malformed = await t.http.post('/users/login').set('Content-Type', 'application/vnd.api+json').send('{"username":');
    expect([malformed.status, malformed.body.message]).toEqual([400, 'Malformed JSON body']);
  });

  it('allows CORS only for configured origins', async () => {
    const ok = await t.http.options('/users/login').set('Origin', 'http://localhost:5173').set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const no = await t.http.options('/users/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
    // the dashboard reads a 429's wait, an export's file name and the request id across origins
    const answer = await t.http.get('/health').set('Origin', 'http://localhost:5173');
    expect(answer.headers['access-control-expose-headers']).toBe('Retry-After,Content-Disposition,X-Request-Id');
    expect((await t.http.get('/health').set('Origin', 'https://evil.example')).headers['access-control-expose-headers']).toBeUndefined();
  });

  it('serves OpenAPI 3.1 generated from the route table, and a docs page', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/users/create'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['username', 'password', 'retype_password']),
    );
    expect(res.body.paths['/users/{id}/update'].put['x-access']).toBe('authenticated');
    expect(res.body.paths['/users/{id}/unblock'].post['x-access']).toEqual(['OWNER', 'ADMIN']);
    const docs = await t.http.get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/openapi.json');
    // its own policy (a nonce for its script) keeps what helmet's had: no framing (clickjacking),
    // no <base> or form redirection, no plugins
    const csp = docs.headers['content-security-policy'];
    for (const directive of ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "object-src 'none'"]) expect(csp).toContain(directive);
  });

  it('while shutting down, reports not ready and closes keep-alive connections after their answer', async () => {
    // a listening server and a keep-alive agent, as a reverse proxy holds connections
    const server = createApp(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, agent }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
          })
          .on('error', reject);
      });
    try {
      expect(await get('/health')).toMatchObject({ status: 200, connection: 'keep-alive' });
      t.app.lifecycle.stopping = true;
      const health = await get('/health');
      expect(health).toMatchObject({ status: 503, connection: 'close' });
      expect(JSON.parse(health.body)).toEqual({ status: 'stopping' });
      // any other answer too: the connection does not carry further requests
      expect(await get('/openapi.json')).toMatchObject({ status: 200, connection: 'close' });
    } finally {
      t.app.lifecycle.stopping = false;
      agent.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('on shutdown, keeps answering new connections for SHUTDOWN_DRAIN_DELAY_MS (a load balancer still sends them until it sees the 503), then refuses them', async () => {
    // the delay's timer is faked, so the test decides when it has passed
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const ctx = createContext({ ...t.app.config, SHUTDOWN_DRAIN_DELAY_MS: 5000 }, t.app.db);
    const server = createApp(ctx).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    // a new connection for each request, as a load balancer opens them
    const get = (path: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
          })
          .on('error', reject);
      });
    try {
      const stopped = stopServing(ctx, server);
      expect(await get('/health')).toEqual({ status: 503, connection: 'close' });
      expect(await get('/openapi.json')).toEqual({ status: 200, connection: 'close' });
      await vi.advanceTimersByTimeAsync(4999);
      expect(await get('/health')).toEqual({ status: 503, connection: 'close' });
      await vi.advanceTimersByTimeAsync(1);
      await stopped;
      await expect(get('/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      vi.useRealTimers();
      if (server.listening) await new Promise((r) => server.close(r));
    }
  });

  it("answers what Node's HTTP parser refuses (oversized headers or query, a malformed request) in the API's JSON error shape", async () => {
    const server = answerClientErrors(http.createServer(serverOptions(loadConfig({})), (_req, res) => res.end('{}')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.end(text));
        let got = '';
        socket.on('data', (c) => (got += c));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
    const parse = (answer: string) => {
      const [head, body] = answer.split('\r\n\r\n');
      return { status: Number(head!.split(' ')[1]), type: /content-type: ([^\r]+)/i.exec(head!)?.[1], body: JSON.parse(body!) };
    };
    try {
      expect(parse(await raw(`GET /menus?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`))).toEqual({
        status: 431, type: 'application/json; charset=utf-8', body: { status: 431, message: 'Request headers or query string too large' },
      });
      expect(parse(await raw('NOT HTTP AT ALL\r\n\r\n'))).toEqual({ status: 400, type: 'application/json; charset=utf-8', body: { status: 400, message: 'Malformed HTTP request' } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('keeps idle keep-alive connections longer than a reverse proxy does (Node closes them after 5 s)', () => {
    const server = http.createServer(serverOptions(loadConfig({})));
    // above nginx's and AWS ALB's 60 s upstream idle timeout, so the proxy never reuses one Node is closing
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(server.requestTimeout).toBe(300_000);
    expect(http.createServer(serverOptions(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '120000' }))).keepAliveTimeout).toBe(120_000);
  });

  it('validates configuration with clear messages', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ NODE_ENV: 'production', OWNER_PASSWORD: 'x'.repeat(10) })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/MIDTRANS_SERVER_KEY/);
    // .env.example's placeholder is long enough but public
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'change-me-to-a-random-secret-of-at-least-32-characters' })).toThrow(/JWT_SECRET/);
    const keys = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), MIDTRANS_SERVER_KEY: 'SB-Mid-server-x', MIDTRANS_CLIENT_KEY: 'SB-Mid-client-x' };
    // the default CORS origins are the development servers on localhost: production names its dashboard
    expect(() => loadConfig(keys)).toThrow(/CORS_ORIGINS: .*production/);
    expect(loadConfig({ ...keys, CORS_ORIGINS: 'https://admin.colederma.com' })).toMatchObject({ NODE_ENV: 'production', CORS_ORIGINS: ['https://admin.colederma.com'] });
    expect(loadConfig({}).PORT).toBe(3000);
    // no drain delay unless told: only a load balancer that polls /health needs one
    expect(loadConfig({}).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_DELAY_MS/);
    // links (uploads, the payment simulator) point at the port the server listens on unless told otherwise
    expect(loadConfig({}).PUBLIC_BASE_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '3977' }).PUBLIC_BASE_URL).toBe('http://localhost:3977');
    expect(loadConfig({ PORT: '3977', PUBLIC_BASE_URL: 'https://api.colederma.id' }).PUBLIC_BASE_URL).toBe('https://api.colederma.id');
  });
});

describe('request log', () => {
  it('writes one line per request with its id, method, URL and status, and gives handlers req.log', async () => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const server = express();
    server.use(requestLog(logger, server.request));
    server.get('/ok', (req, res) => {
      req.log.info({ step: 'inside' }, 'handler says');
      res.json({ ok: true });
    });
    server.get('/missing', (_req, res) => void res.status(404).json({}));
    const http = request(server);

    const ok = await http.get('/ok?x=1').set('x-request-id', 'req-123');
    expect(ok.headers['x-request-id']).toBe('req-123');
    const missing = await http.get('/missing');
    const generated = missing.headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setImmediate(r));

    expect(lines.find((l) => l.msg === 'handler says')).toMatchObject({ step: 'inside', req: { id: 'req-123', method: 'GET', url: '/ok?x=1' } });
    expect(lines.filter((l) => l.msg === 'request completed')).toEqual([
      expect.objectContaining({ level: 30, req: { id: 'req-123', method: 'GET', url: '/ok?x=1' }, res: { statusCode: 200 } }),
      expect.objectContaining({ level: 40, req: { id: generated, method: 'GET', url: '/missing' }, res: { statusCode: 404 } }),
    ]);
    // a header that is not a plain id is not echoed (log injection)
    expect((await http.get('/ok').set('x-request-id', 'a b;c')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
