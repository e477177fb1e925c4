import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
});
afterAll(() => t.close());

describe('input the database cannot store', () => {
  it('refuses NUL characters in bodies, nested values, filters and paths with a 400 naming the field', async () => {
    const reg = await t.http.post('/users/create').send({ username: 'abcde', users_fullname: 'a\u0000b', password: 'qwerty123', retype_password: 'qwerty123' });
    expect(reg.status).toBe(400);
    expect(reg.body.errors).toEqual([{ field: 'body.users_fullname', message: 'must not contain NUL characters' }]);
    const nested = await t.http.post('/logs/create').set(t.auth(owner)).send({ action: 'x', details: { a: 'b\u0000' } });
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0].field).toBe('body.details.a');
    expect((await t.http.post('/users/explore').set(t.auth(owner)).send({ users_fullname: 'x\u0000' })).status).toBe(400);
    expect((await t.http.post('/users/a%00b@example.com/recovery/password/email')).status).toBe(400);
    expect(await t.app.db.user.count({ where: { username: 'abcde' } })).toBe(0);
  });

  it('sends security headers and answers CORS only to configured origins', async () => {
    const res = await t.http.get('/health').set('Origin', 'https://evil.example');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const ok = await t.http.get('/health').set('Origin', t.app.config.CORS_ORIGINS[0]!);
    expect(ok.headers['access-control-allow-origin']).toBe(t.app.config.CORS_ORIGINS[0]);
  });
});
