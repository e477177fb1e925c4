import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_WINDOW_SECONDS: '600',
    RATE_LIMIT_LOGIN_PER_IP: '8',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '3',
    RATE_LIMIT_REGISTER_PER_IP: '2',
    RATE_LIMIT_RECOVERY_PER_IP: '6',
    RATE_LIMIT_RECOVERY_PER_ACCOUNT: '2',
    LOGIN_MAX_ATTEMPTS: '100',
  });
});
afterAll(() => t.close());

const expect429 = (res: { status: number; headers: Record<string, string>; body: { status: number } }) => {
  expect(res.status).toBe(429);
  expect(res.body.status).toBe(429);
  const wait = Number(res.headers['retry-after']);
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(600);
};

describe('rate limits (per IP and per account, 429 with Retry-After)', () => {
  it('limits sign-in attempts per account, whatever the case of the name, and then per IP', async () => {
    const u = await t.user(['CUSTOMER']);
    for (let i = 0; i < 3; i++) expect((await t.http.post('/users/login').send({ username: i % 2 ? u.username.toUpperCase() : u.username, password: 'wrong-pass' })).status).toBe(401);
    expect429(await t.http.post('/users/login').send({ username: u.username, password: TEST_PASSWORD }));
    // other accounts still work from this IP until the per-IP limit (8)
    const v = await t.user(['CUSTOMER']);
    expect((await t.http.post('/users/login').send({ username: v.username, password: TEST_PASSWORD })).status).toBe(200);
    const w = await t.user(['CUSTOMER']);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.http.post('/users/login').send({ username: i < 3 ? w.username : `nobody${i}`, password: 'x' })));
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
    expect429(await t.http.post('/users/login').send({ username: 'another', password: 'x' }));
  });

  it('counts an account once, whether named by its username or its e-mail, and an unknown name alike', async () => {
    const u = await t.user(['CUSTOMER']);
    const email = `${u.username}@example.com`;
    const attempt = (username: string, password = 'wrong-pass') => t.http.post('/users/login').set('X-Forwarded-For', '10.9.8.5').send({ username, password });
    const statuses: number[] = [];
    for (const name of [u.username, email, ` ${email.toUpperCase()} `]) statuses.push((await attempt(name)).status);
    expect(statuses).toEqual([401, 401, 401]);
    expect429(await attempt(u.username, TEST_PASSWORD));
    expect429(await attempt(email, TEST_PASSWORD));
    // a name no account has: the same number of attempts, then the same answer
    const unknown: number[] = [];
    for (const name of ['nobody-5', 'NOBODY-5', ' nobody-5 ', 'nobody-5']) unknown.push((await t.http.post('/users/login').set('X-Forwarded-For', '10.9.8.4').send({ username: name, password: 'x' })).status);
    expect(unknown).toEqual([401, 401, 401, 429]);
  });

  it('limits registrations per IP', async () => {
    const reg = (n: string) => ({ username: n, users_fullname: 'X', password: 'qwerty123', retype_password: 'qwerty123' });
    expect((await t.http.post('/users/create').send(reg('rl_one'))).status).toBe(200);
    expect((await t.http.post('/users/create').send(reg('rl_two'))).status).toBe(200);
    expect429(await t.http.post('/users/create').send(reg('rl_three')));
    expect(await t.app.db.user.count({ where: { username: 'rl_three' } })).toBe(0);
    // staff creating accounts from the dashboard are not limited as registrations; a forged token is
    const admin = await t.user(['ADMIN']);
    expect((await t.http.post('/users/create').set(t.auth(admin)).send(reg('rl_staff'))).status).toBe(200);
    expect429(await t.http.post('/users/create').set('Authorization', 'Bearer forged.token.here').send(reg('rl_forged')));
  });

  it('limits recovery requests per account and per IP', async () => {
    expect((await t.http.post('/users/a@example.com/recovery/password/email')).status).toBe(200);
    expect((await t.http.post('/users/A@example.com/recovery/password/email')).status).toBe(200);
    expect429(await t.http.post('/users/a@example.com/recovery/password/email'));
    expect((await t.http.post('/users/081200001111/recovery/password/wa')).status).toBe(200);
    expect((await t.http.post('/users/6281200001111/recovery/password/wa')).status).toBe(200);
    expect429(await t.http.post('/users/+6281200001111/recovery/password/wa'));
  });

  it('counts on the database: two server processes share one limit, and a window that ran out starts again', async () => {
    // a second "process": its own context and Express app (own limiter) on the same database
    const second = supertest(createApp(createContext(t.app.config, t.app.db, t.app.logger)));
    const u = await t.user(['CUSTOMER']);
    const attempt = (http: typeof t.http) => http.post('/users/login').set('X-Forwarded-For', '10.9.8.7').send({ username: u.username, password: 'wrong-pass' });
    expect((await attempt(t.http)).status).toBe(401);
    expect((await attempt(second)).status).toBe(401);
    expect((await attempt(t.http)).status).toBe(401);
    expect429(await attempt(second));
    const bucket = await t.app.db.rateLimitBucket.findUnique({ where: { key: `login:acct:user:${u.id}` } });
    expect(bucket?.count).toBe(4);

    // the window runs out: counting starts again at 1
    await t.app.db.rateLimitBucket.update({ where: { key: bucket!.key }, data: { reset_at: new Date(Date.now() - 1000) } });
    expect((await attempt(t.http)).status).toBe(401);
    expect((await t.app.db.rateLimitBucket.findUnique({ where: { key: bucket!.key } }))?.count).toBe(1);
  });

  it("counts per client address as TRUST_PROXY says: X-Forwarded-For from a trusted proxy, else the peer's address", async () => {
    const login = (http: typeof t.http, ip: string) => http.post('/users/login').set('X-Forwarded-For', ip).send({ username: 'nobody-here', password: 'wrong-pass' });
    const bucket = (ip: string) => t.app.db.rateLimitBucket.findUnique({ where: { key: `login:ip:${ip}` } });
    // the default trusts a proxy on this machine (the test's connection comes from 127.0.0.1)
    await login(t.http, '198.51.100.7');
    expect((await bucket('198.51.100.7'))?.count).toBe(1);
    // a proxy elsewhere, not this one: the header is not believed, the peer is counted
    const strict = supertest(createApp(createContext({ ...t.app.config, TRUST_PROXY: '10.0.0.0/8' }, t.app.db, t.app.logger)));
    await login(strict, '198.51.100.8');
    expect(await bucket('198.51.100.8')).toBeNull();
    expect(await t.app.db.rateLimitBucket.count({ where: { key: { in: ['login:ip:127.0.0.1', 'login:ip:::ffff:127.0.0.1'] } } })).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
  });

  it('keeps the limit exact under parallel requests', async () => {
    const u = await t.user(['CUSTOMER']);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http.post('/users/login').set('X-Forwarded-For', '10.9.8.6').send({ username: u.username, password: 'wrong-pass' })),
    );
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
  });
});
