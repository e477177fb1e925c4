import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Registration races and spellings, role assignments reaching an owner's account, and what stays of
// a deleted account.

let t: TestApp;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
});
afterAll(() => t.close());

const registration = (name: string, extra: Record<string, unknown> = {}) => ({
  username: name,
  users_fullname: 'Sinta Dewi',
  users_email: `${name}@gmail.com`,
  password: 'qwerty123',
  retype_password: 'qwerty123',
  ...extra,
});

describe('registration', () => {
  it('two registrations at once with one e-mail (any case), username or phone (any spelling): one account, the other 409', async () => {
    const pairs = [
      [registration('race_a1', { users_email: 'race@gmail.com' }), registration('race_a2', { users_email: 'RACE@Gmail.com' })],
      [registration('Race_B'), registration('race_b', { users_email: 'race-b2@gmail.com' })],
      [registration('race_c1', { users_phone: '081377770001' }), registration('race_c2', { users_phone: '+6281377770001' })],
    ];
    for (const pair of pairs) {
      const answers = await Promise.all(pair.map((body) => t.http.post('/users/create').send(body)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ status: 409, message: expect.stringMatching(/Duplicate/) });
    }
    expect(await t.app.db.user.count({ where: { users_email: 'race@gmail.com' } })).toBe(1);
    expect(await t.app.db.user.count({ where: { username: 'race_b' } })).toBe(1);
    expect(await t.app.db.user.count({ where: { users_phone: '081377770001' } })).toBe(1);
  });

  it('an e-mail with spaces around is the same e-mail, as sign-in reads it: stored trimmed, a duplicate is 409', async () => {
    const res = await t.http.post('/users/create').send(registration('spaced', { users_email: '  Spaced.Out@Gmail.com ' }));
    expect(res.status).toBe(200);
    expect(res.body.users.users_email).toBe('spaced.out@gmail.com');
    const dup = await t.http.post('/users/create').send(registration('spaced2', { users_email: 'spaced.out@gmail.com ' }));
    expect(dup.status).toBe(409);
    const self = await t.user(['CUSTOMER']);
    const update = await t.http.put(`/users/${self.id}/update`).set(t.auth(self)).send({ users_email: ' New.Mail@Gmail.com' });
    expect(update.status).toBe(200);
    expect(update.body.users.users_email).toBe('new.mail@gmail.com');
  });
});

describe("an owner's roles", () => {
  it('are given, changed and taken by owners only: roles/* answer 403 to an admin as users/:id/update does', async () => {
    const admin = await t.user(['ADMIN']);
    const owner2 = await t.user(['OWNER', 'ADMIN']);
    const customer = await t.user(['CUSTOMER']);
    const ownersAdminRole = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: owner2.id, role_codes: 'ADMIN' } });
    const customerRole = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: customer.id } });
    const attempts = [
      t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'DOCTOR' }),
      t.http.put(`/roles/${ownersAdminRole.id}/update`).set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'CUSTOMER' }),
      t.http.put(`/roles/${ownersAdminRole.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'ADMIN' }),
      // a customer's row moved onto the owner changes the owner's account too
      t.http.put(`/roles/${customerRole.id}/update`).set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'CUSTOMER' }),
      t.http.delete(`/roles/${ownersAdminRole.id}/delete`).set(t.auth(admin)),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/Only an owner/);
    }
    const roles = await t.app.db.userRole.findMany({ where: { id_users: { in: [owner2.id, customer.id] } }, orderBy: { id: 'asc' } });
    expect(roles.map((r) => [r.id_users, r.role_codes])).toEqual([
      [owner2.id, 'OWNER'],
      [owner2.id, 'ADMIN'],
      [customer.id, 'CUSTOMER'],
    ]);
    // the owner's session is untouched
    expect((await t.http.get('/users/data').set(t.auth(owner2))).status).toBe(200);
    // an owner may; an admin still manages other accounts' roles
    expect((await t.http.post('/roles/create').set(t.auth(owner)).send({ iduser: owner2.id, rolecodes: 'DOCTOR' })).status).toBe(200);
    expect((await t.http.put(`/roles/${customerRole.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'DOCTOR' })).status).toBe(200);
  });

  it('the last owner cannot demote themself through users/:id/update either (409)', async () => {
    const t2 = await createTestApp();
    try {
      const only = await t2.user(['OWNER', 'ADMIN']);
      const res = await t2.http.put(`/users/${only.id}/update`).set(t2.auth(only)).send({ roles: ['ADMIN'] });
      expect(res.status).toBe(409);
      expect(await t2.app.db.userRole.count({ where: { id_users: only.id, role_codes: 'OWNER' } })).toBe(1);
    } finally {
      await t2.close();
    }
  });
});
