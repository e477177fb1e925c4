import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

// The keys the rate limiter counts by: the account as the route reads it, and a staff token that is
// valid now.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_WINDOW_SECONDS: '600',
    RATE_LIMIT_REGISTER_PER_IP: '2',
    RATE_LIMIT_RECOVERY_PER_IP: '100',
    RATE_LIMIT_RECOVERY_PER_ACCOUNT: '2',
  });
});
afterAll(() => t.close());

describe('rate limit keys', () => {
  it('an address with spaces around it counts against the same account', async () => {
    const u = await t.user(['CUSTOMER']);
    const email = `${u.username}@example.com`;
    const statuses: number[] = [];
    for (const v of [email, `%20${email}`, `${email}%20`, `%09${email}`, email.toUpperCase()]) statuses.push((await t.http.post(`/users/${v}/recovery/password/email`)).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(await t.app.db.messageOutbox.count({ where: { id_users: u.id } })).toBe(2);
  });

  it('a number typed with a trunk 0 after the country code (+620812…) counts against the same number', async () => {
    const u = await t.user(['CUSTOMER'], { users_phone: '081277001234' });
    const statuses: number[] = [];
    for (const v of ['081277001234', '+6281277001234', '+62081277001234', '62081277001234']) statuses.push((await t.http.post(`/users/${v}/recovery/password/wa`)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(await t.app.db.messageOutbox.count({ where: { id_users: u.id } })).toBe(2);
  });

  it('a malformed %-escape in the path is a 400, not a 500', async () => {
    const res = await t.http.post('/users/a%E0%A4%A@example.com/recovery/password/email');
    expect(res.status).toBe(400);
  });

  it('a NUL or an over-long name is counted and then refused by the body or route check, not a 500', async () => {
    for (const path of ['/users/ab%00c@example.com/recovery/password/email', `/users/${'a'.repeat(3000)}@example.com/recovery/password/email`]) {
      const res = await t.http.post(path);
      expect(res.status, path.slice(0, 40)).not.toBe(500);
      expect(res.body.status).toBe(res.status);
    }
    const login = await t.http.post('/users/login').send({ username: 'ab\u0000c', password: 'whatever-1' });
    expect(login.status).toBe(400);
    expect(login.body.errors[0]).toMatchObject({ field: 'body.username' });
    const keys = await t.app.db.rateLimitBucket.findMany({ select: { key: true } });
    expect(keys.some((k) => k.key === 'login:acct:name:abc')).toBe(true);
    expect(keys.every((k) => k.key.length <= 255 && !k.key.includes('\0'))).toBe(true);
  });

  it('an IPv6 client counts by its /64: another address of the same network is no new limit', async () => {
    const reg = (n: string, ip: string) =>
      t.http.post('/users/create').set('X-Forwarded-For', ip).send({ username: n, users_fullname: 'X', password: 'qwerty123', retype_password: 'qwerty123' });
    const statuses: number[] = [];
    for (const [i, ip] of ['2001:db8:1:2::a', '2001:db8:1:2:ffff:1:2:3', '2001:0db8:0001:0002::b', '2001:db8:1:2::c'].entries()) statuses.push((await reg(`six_${i}`, ip)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    // the next network is someone else
    expect((await reg('six_other', '2001:db8:1:3::a')).status).toBe(200);
    // an IPv4 client written IPv4-mapped is the same client
    expect((await reg('four_0', '198.51.100.20')).status).toBe(200);
    expect((await reg('four_1', '::ffff:198.51.100.20')).status).toBe(200);
    expect((await reg('four_2', '198.51.100.20')).status).toBe(429);
  });

  it("a deleted or demoted staff member's old token no longer lifts the registration limit", async () => {
    const reg = (n: string) => ({ username: n, users_fullname: 'X', password: 'qwerty123', retype_password: 'qwerty123' });
    const admin = await t.user(['ADMIN']);
    // valid staff: not counted
    for (let i = 0; i < 3; i++) expect((await t.http.post('/users/create').set(t.auth(admin)).send(reg(`staff_made_${i}`))).status).toBe(200);
    await t.app.db.user.update({ where: { id: admin.id }, data: { deleted_at: new Date(), token_version: { increment: 1 } } });
    // changed behind the API's back: heard a moment after the commit (authenticate.ts), so wait for it
    await t.app.callers.settle();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.post('/users/create').set(t.auth(admin)).send(reg(`revoked_${i}`))).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});
