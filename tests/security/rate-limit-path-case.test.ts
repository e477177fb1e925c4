import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

// Express matches routes case-insensitively and with one trailing slash: /Users/LOGIN is the
// sign-in endpoint. The rate limiter must count it as such, or a change of case resets the limit.
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_WINDOW_SECONDS: '600',
    RATE_LIMIT_LOGIN_PER_IP: '50',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '2',
    RATE_LIMIT_REGISTER_PER_IP: '1',
    RATE_LIMIT_RECOVERY_PER_IP: '50',
    RATE_LIMIT_RECOVERY_PER_ACCOUNT: '1',
    LOGIN_MAX_ATTEMPTS: '100',
  });
});
afterAll(() => t.close());

describe('rate limits whatever the case of the path', () => {
  it('counts /Users/Login as sign-in attempts', async () => {
    const u = await t.user(['CUSTOMER']);
    const statuses: number[] = [];
    for (const path of ['/users/login', '/Users/Login', '/USERS/LOGIN/', '/users/Login']) {
      statuses.push((await t.http.post(path).send({ username: u.username, password: 'wrong-pass' })).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('counts /USERS/CREATE as a registration', async () => {
    const reg = (n: string) => ({ username: n, users_fullname: 'X', password: 'qwerty123', retype_password: 'qwerty123' });
    expect((await t.http.post('/users/create').send(reg('rlc_one'))).status).toBe(200);
    expect((await t.http.post('/USERS/CREATE').send(reg('rlc_two'))).status).toBe(429);
    expect(await t.app.db.user.count({ where: { username: 'rlc_two' } })).toBe(0);
  });

  it('counts recovery requests whatever the case of the path', async () => {
    expect((await t.http.post('/users/b@example.com/recovery/password/email')).status).toBe(200);
    expect((await t.http.post('/users/b@example.com/RECOVERY/password/EMAIL')).status).toBe(429);
  });
});
