import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
