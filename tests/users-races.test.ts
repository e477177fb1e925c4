import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from './helpers/app.js';
import { twiceWhileHolding } from './helpers/interleave.js';

// Account changes sent twice at once (a double tap, a retry), made deterministic by holding the
// account's row until both requests wait for it. PostgreSQL only (TEST_DATABASE_URL): PGlite runs
// one statement at a time.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['OWNER', 'ADMIN']);
});
afterAll(() => t.close());

const holdAccount = (id: number) => (tx: any) => tx.$queryRaw`SELECT id FROM users WHERE id = ${id} FOR UPDATE`;

describe.runIf(process.env.TEST_DATABASE_URL)('users/:id/update/password sent twice at once', () => {
  it('changes the password once: the other was sent with the session the first ended (401); one "password changed" notice', async () => {
    const u = await t.user(['CUSTOMER']);
    const before = await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } });
    const answers = await twiceWhileHolding(t.app.db, holdAccount(u.id), () =>
      t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: 'brand-new-pass-1', new_password_confirm: 'brand-new-pass-1' }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).token_version).toBe(before.token_version + 1);
    expect(await t.app.db.messageOutbox.count({ where: { id_users: u.id, purpose: 'password_changed' } })).toBe(1);
    const login = await t.http.post('/users/login').send({ act: 'login', username: u.username, password: 'brand-new-pass-1', app: 'mobile' });
    expect(login.body.login).toBe(true);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('users/:id/delete sent twice at once', () => {
  it('deletes the account once: one 200, the other finds it gone (404), as a delete sent a moment later; one audit entry', async () => {
    const u = await t.user(['CUSTOMER']);
    const answers = await twiceWhileHolding(t.app.db, holdAccount(u.id), () => t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(row.deleted_at).not.toBeNull();
    expect(await t.app.db.log.count({ where: { action: 'DELETE /users/:id/delete', resource_id: String(u.id) } })).toBe(1);
  });
});
