import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { createTestApp, PNG_1PX, TEST_PASSWORD, type TestApp, type TestUser } from './helpers/app.js';

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

const registration = (name: string, extra: Record<string, unknown> = {}) => ({
  username: name,
  users_fullname: 'Didit Velliz',
  users_email: `${name}@gmail.com`,
  users_phone: `0813${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}`,
  password: 'qwerty123',
  retype_password: 'qwerty123',
  ...extra,
});

describe('users/create', () => {
  it('registers an anonymous caller as a CUSTOMER whatever roles the body asks for', async () => {
    const res = await t.http.post('/users/create').send(registration('didit', { roles: ['OWNER'], id_departments: [1], users_birthday: '25/11/1995' }));
    expect(res.status).toBe(200);
    expect(res.body.users).toMatchObject({ username: 'didit', users_fullname: 'Didit Velliz', users_birthday: '1995-11-25', is_blocked: 0, positions: '-' });
    expect(res.body.users.roles.map((r: { role_codes: string }) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(res.body.users.departments).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|"password"|\$2b\$/);
  });

  it('lets an admin create staff with roles and departments, but only an owner grants OWNER', async () => {
    const dept = await t.app.db.department.create({ data: { department_name: 'IT', department_codes: 'IT' } });
    const res = await t.http
      .post('/users/create')
      .set(t.auth(admin))
      .send(registration('staff1', { roles: ['ADMIN', 'DOCTOR'], id_departments: [dept.id], positions: 'Dokter' }));
    expect(res.status).toBe(200);
    expect(res.body.users.roles.map((r: { role_codes: string }) => r.role_codes).sort()).toEqual(['ADMIN', 'DOCTOR']);
    expect(res.body.users.departments).toMatchObject([{ id_departments: dept.id, descriptions: 'Init new users' }]);
    expect(res.body.users.positions).toBe('Dokter');

    const denied = await t.http.post('/users/create').set(t.auth(admin)).send(registration('owner2', { roles: ['OWNER'] }));
    expect(denied.status).toBe(403);
    const allowed = await t.http.post('/users/create').set(t.auth(owner)).send(registration('owner3', { roles: ['OWNER'] }));
    expect(allowed.status).toBe(200);
  });

  it('validates input with field errors and refuses duplicates with 409', async () => {
    const bad = await t.http.post('/users/create').send({ username: 'x', password: 'a', retype_password: 'b', users_email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, message: 'Invalid input' });
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'users_fullname', 'users_email', 'password']));

    const mismatch = await t.http.post('/users/create').send(registration('mismatch', { retype_password: 'different1' }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([{ field: 'retype_password', message: 'passwords do not match' }]);

    const dup = await t.http.post('/users/create').send(registration('DIDIT'));
    expect(dup.status).toBe(409);
  });
});

describe('users_birthday', () => {
  it('refuses a birthday after today in Asia/Jakarta (400), and takes today there while it is still yesterday in UTC', async () => {
    // 01:00 WIB on 1 January 2027: 18:00 UTC on 31 December 2026
    t.app.now = () => new Date('2027-01-01T01:00:00+07:00');
    try {
      const ok = await t.http.post('/users/create').send(registration('newborn', { users_birthday: '01/01/2027' }));
      expect(ok.status).toBe(200);
      expect(ok.body.users.users_birthday).toBe('2027-01-01');
      const refused = await t.http.post('/users/create').send(registration('unborn', { users_birthday: '2027-01-02' }));
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['users_birthday']);
      expect(await t.app.db.user.count({ where: { username: 'unborn' } })).toBe(0);
      const update = await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ users_birthday: '02/01/2027' });
      expect(update.status).toBe(400);
      expect(update.body.errors.map((e: { field: string }) => e.field)).toEqual(['users_birthday']);
      expect((await t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_birthday: '01/01/2027' })).status).toBe(200);
    } finally {
      t.app.now = () => new Date();
    }
  });
});

describe('users/login', () => {
  it('signs in by username or e-mail and returns the documented shape', async () => {
    const res = await t.http.post('/users/login').send({ act: 'login', username: customer.username.toUpperCase(), password: TEST_PASSWORD, app: 'mobile' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ login: true, id: customer.id, is_password_reset_required: 0, roles: ['CUSTOMER'] });
    expect(typeof res.body.bearer).toBe('string');
    const me = await t.http.get('/users/data').set(t.auth(res.body.bearer));
    expect(me.status).toBe(200);
    expect(me.body.users.id).toBe(customer.id);
    expect(me.body.permissions).toEqual(['CUSTOMER']);

    const byEmail = await t.http.post('/users/login').send({ username: `${customer.username}@example.com`, password: TEST_PASSWORD });
    expect(byEmail.status).toBe(200);
  });

  it('answers the same for an unknown user and a wrong password', async () => {
    const unknown = await t.http.post('/users/login').send({ username: 'nobody-here', password: 'whatever1' });
    const wrong = await t.http.post('/users/login').send({ username: other.username, password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('blocks after 5 failed attempts in a row, until an admin unblocks', async () => {
    const victim = await t.user(['CUSTOMER']);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => t.http.post('/users/login').send({ username: victim.username, password: 'bad-password' })),
    );
    expect(attempts.every((r) => r.status === 401)).toBe(true);
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(row).toMatchObject({ is_blocked: 1, num_of_login_attempts: 5 });

    const blocked = await t.http.post('/users/login').send({ username: victim.username, password: TEST_PASSWORD });
    expect(blocked.status).toBe(403);
    // the same answer for a wrong password: the lockout is no oracle for further guesses
    const guess = await t.http.post('/users/login').send({ username: victim.username, password: 'another-guess' });
    expect({ status: guess.status, body: guess.body }).toEqual({ status: blocked.status, body: blocked.body });
    // the old token stops working too
    expect((await t.http.get('/users/data').set(t.auth(victim))).status).toBe(401);

    expect((await t.http.post(`/users/${victim.id}/unblock`).set(t.auth(customer))).status).toBe(403);
    const unblock = await t.http.post(`/users/${victim.id}/unblock`).set(t.auth(admin));
    expect(unblock.body).toEqual({ unblock: true });
    const ok = await t.http.post('/users/login').send({ username: victim.username, password: TEST_PASSWORD });
    expect(ok.status).toBe(200);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: victim.id } })).num_of_login_attempts).toBe(0);
  });
});

describe('tokens', () => {
  it('refuses missing, expired, tampered, alg:none and wrong-key tokens', async () => {
    const secret = t.app.config.JWT_SECRET;
    const claims = { sub: String(customer.id), tv: 0, roles: ['CUSTOMER'] };
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, secret);
    const wrongKey = jwt.sign(claims, 'another-secret-of-sufficient-length');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const [h, , s] = customer.token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: String(owner.id) })).toString('base64url')}.${s}`;
    expect((await t.http.get('/users/data')).status).toBe(401);
    for (const token of [expired, wrongKey, none, tampered, 'garbage']) {
      const res = await t.http.get('/users/data').set(t.auth(token));
      expect(res.status, token).toBe(401);
      expect(res.body.status).toBe(401);
    }
    const exp = await t.http.get('/users/data').set(t.auth(expired));
    expect(exp.body.message).toBe('Token expired');
  });

  it('ends older sessions when the password changes', async () => {
    const u = await t.user(['CUSTOMER']);
    const wrongPrev = await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: 'nope-nope', new_password: 'newpassword1', new_password_confirm: 'newpassword1' });
    expect(wrongPrev.status).toBe(422);
    const other = await t.http.post(`/users/${customer.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: 'newpassword1', new_password_confirm: 'newpassword1' });
    expect(other.status).toBe(403);
    const res = await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: 'newpassword1', new_password_confirm: 'newpassword1' });
    expect(res.body).toEqual({ update_password: true });
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(401);
    expect((await t.http.post('/users/login').send({ username: u.username, password: 'newpassword1' })).status).toBe(200);
  });

  it('refuses a new password over 72 bytes (bcrypt would cut it: another password sharing its first 72 bytes would sign in)', async () => {
    const u = await t.user(['CUSTOMER']);
    const long = 'é'.repeat(40); // 40 characters, 80 bytes
    const res = await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: long, new_password_confirm: long });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'new_password', message: expect.stringMatching(/72 bytes/) })]);
    const byStaff = await t.http.post(`/users/${u.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: long, new_password_confirm: long });
    expect(byStaff.status).toBe(400);
    expect((await t.http.post('/users/create').send(registration('longpass', { password: long, retype_password: long }))).status).toBe(400);
    // the old password still signs in: nothing was changed
    expect((await t.http.post('/users/login').send({ username: u.username, password: TEST_PASSWORD })).status).toBe(200);
    // 36 two-byte characters are 72 bytes: accepted
    const fits = 'é'.repeat(36);
    await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: fits, new_password_confirm: fits }).expect(200);
    expect((await t.http.post('/users/login').send({ username: u.username, password: fits })).status).toBe(200);
  });

  it('lets staff set a password that must be changed at next sign-in', async () => {
    const u = await t.user(['CUSTOMER']);
    const res = await t.http.post(`/users/${u.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: 'adminset123', new_password_confirm: 'adminset123' });
    expect(res.body).toEqual({ update_password_admin: true });
    const login = await t.http.post('/users/login').send({ username: u.username, password: 'adminset123' });
    expect(login.body.is_password_reset_required).toBe(1);
    const ownersPassword = await t.http.post(`/users/${owner.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: 'adminset123', new_password_confirm: 'adminset123' });
    expect(ownersPassword.status).toBe(403);
  });
});

describe('users read, update, delete', () => {
  it('lets a customer read and edit only their own user, and ignores roles they send', async () => {
    expect((await t.http.get(`/users/${other.id}`).set(t.auth(customer))).status).toBe(404);
    const mine = await t.http.get(`/users/${customer.id}`).set(t.auth(customer));
    expect(mine.status).toBe(200);
    expect(mine.body.users).toMatchObject({ id: customer.id, roles: [{ role_codes: 'CUSTOMER' }] });

    const upd = await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ users_fullname: 'Nama Baru', roles: ['OWNER'], positions: 'Owner' });
    expect(upd.status).toBe(200);
    expect(upd.body.users).toMatchObject({ users_fullname: 'Nama Baru', positions: '-' });
    expect(upd.body.users.roles.map((r: { role_codes: string }) => r.role_codes)).toEqual(['CUSTOMER']);

    expect((await t.http.put(`/users/${other.id}/update`).set(t.auth(customer)).send({ users_fullname: 'Hacked' })).status).toBe(404);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: other.id } })).users_fullname).not.toBe('Hacked');
    expect((await t.http.post('/users/explore').set(t.auth(customer)).send({})).status).toBe(403);
    expect((await t.http.delete(`/users/${other.id}/delete`).set(t.auth(customer))).status).toBe(403);
  });

  it("users/:id carries the document's total_point, notifications counts and donor_informations (not create/update)", async () => {
    const u = await t.user(['CUSTOMER']);
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 1500 } });
    await t.app.db.notification.createMany({
      data: [
        { id_user_to: u.id, title: 'a', is_read: 0 },
        { id_user_to: u.id, title: 'b', is_read: 1 },
        { id_user_to: u.id, title: 'c', is_read: 1 },
        { id_user_to: other.id, title: 'not theirs', is_read: 0 },
      ],
    });
    for (const reader of [u, admin]) {
      const res = await t.http.get(`/users/${u.id}`).set(t.auth(reader));
      expect(res.status).toBe(200);
      expect(res.body.users).toMatchObject({ id: u.id, total_point: 1500, notifications: { notifications: 3, unread: 1, isread: 2 } });
      // always empty in the document (nothing here holds donor information), but a client reads the key
      expect(res.body.users.donor_informations).toEqual([]);
    }
    // the document's users/update answer has neither
    const upd = await t.http.put(`/users/${u.id}/update`).set(t.auth(u)).send({ users_fullname: 'Pts' });
    expect(upd.status).toBe(200);
    expect(upd.body.users).not.toHaveProperty('total_point');
  });

  it('lists with filters, paging and the DataTables protocol for staff', async () => {
    const explore = await t.http.post('/users/explore?page=1&length=2').set(t.auth(admin)).send({ role_codes: 'CUSTOMER' });
    expect(explore.status).toBe(200);
    expect(explore.body).toMatchObject({ page: 1, length: 2, displayed: 2 });
    expect(explore.body.totaldata).toBeGreaterThanOrEqual(3);
    expect(explore.body.totalpage).toBe(Math.ceil(explore.body.totaldata / 2));
    expect(explore.body.anchor[0]).toEqual({ page: 1 });
    expect(explore.body.data[0]).toHaveProperty('id_departments');

    const search = await t.http.post('/users/search').set(t.auth(admin)).send({ users_fullname: 'nama baru' });
    expect(search.body.users.map((u: { id: number }) => u.id)).toEqual([customer.id]);

    const table = await t.http
      .post('/users/table')
      .set(t.auth(admin))
      .send({ draw: 3, start: 0, length: 5, 'search[value]': customer.username, 'order[0][column]': 1, 'order[0][dir]': 'asc' });
    expect(table.status).toBe(200);
    expect(table.body).toMatchObject({ draw: 3, recordsFiltered: 1 });
    expect(table.body.recordsTotal).toBeGreaterThan(3);
    expect(table.body.data[0]).toHaveLength(16);
    expect(table.body.data[0][0]).toBe(customer.id);
    expect(table.body.data[0][13]).toBe('');
    // column 8 is the picture's file name, like users_picture everywhere in the document
    await t.app.db.user.update({ where: { id: customer.id }, data: { users_picture: 'uudsHtsBkbOJIDCj.jpg' } });
    const withPicture = await t.http.post('/users/table').set(t.auth(admin)).send({ draw: 1, 'search[value]': customer.username });
    expect(withPicture.body.data[0][8]).toBe('uudsHtsBkbOJIDCj.jpg');

    const ordered = await t.http.post('/users/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 100, order: [{ column: 1, dir: 'desc' }] });
    const names = ordered.body.data.map((r: unknown[]) => r[1]);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('caps an explore length above 100 at 100 (docs/compat.md) instead of refusing it', async () => {
    const res = await t.http.post('/users/explore?page=1&length=500').set(t.auth(admin)).send({});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, length: 100 });
    expect(res.body.data.length).toBeLessThanOrEqual(100);
    expect((await t.http.post('/users/explore?page=1&length=0').set(t.auth(admin)).send({})).status).toBe(400);
  });

  it('reads an empty filter ("" or null, as a DataTables form sends for "all") as no filter, not as 0', async () => {
    const blocked = await t.user(['CUSTOMER'], { is_blocked: 1 });
    const all = await t.http.post('/users/table').set(t.auth(admin)).type('form').send({ draw: '1', start: '0', length: '100' });
    const form = await t.http
      .post('/users/table')
      .set(t.auth(admin))
      .type('form')
      .send({ draw: '1', start: '0', length: '100', is_blocked: '', is_email_confirmed: '', is_phone_confirmed: '', positions: '', id_departments: '', role_codes: '' });
    expect(form.status).toBe(200);
    expect(form.body.recordsFiltered).toBe(all.body.recordsFiltered);
    expect(form.body.data.map((r: unknown[]) => r[0])).toContain(blocked.id);

    const explore = await t.http.post('/users/explore?page=1&length=100').set(t.auth(admin)).send({ is_blocked: null, id_departments: '' });
    expect(explore.status).toBe(200);
    expect(explore.body.data.map((u: { id: number }) => u.id)).toContain(blocked.id);
    // a real 0 still filters
    const unblocked = await t.http.post('/users/search').set(t.auth(admin)).send({ is_blocked: '0' });
    expect(unblocked.body.users.map((u: { id: number }) => u.id)).not.toContain(blocked.id);

    const roles = await t.http.get('/roles/explore?page=1&length=10&iduser=').set(t.auth(admin));
    expect(roles.status).toBe(200);
    const members = await t.http.post('/user_departments/table').set(t.auth(admin)).type('form').send({ draw: '1', id_users: '', id_departments: '' });
    expect(members.status).toBe(200);
  });

  it('soft-deletes users; the last owner cannot be removed', async () => {
    const u = await t.user(['CUSTOMER']);
    const res = await t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin));
    expect(res.body).toEqual({ deleted: true });
    expect((await t.http.get(`/users/${u.id}`).set(t.auth(admin))).status).toBe(404);
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(401);
    expect(await t.app.db.user.findUnique({ where: { id: u.id } })).not.toBeNull();
    expect((await t.http.delete(`/users/${admin.id}/delete`).set(t.auth(admin))).status).toBe(409);
  });

  it('registers device tokens to the signed-in user', async () => {
    const res = await t.http.post('/users/register_device_token').set(t.auth(customer)).send({ device_token: 'device-token-abcdef', already_login: false });
    expect(res.body).toEqual({ register_device_token: true });
    await t.http.put('/users/register_device_token').set(t.auth(other)).send({ device_token: 'device-token-abcdef' });
    const rows = await t.app.db.userDeviceToken.findMany({ where: { device_token: 'device-token-abcdef' } });
    expect(rows.map((r) => r.id_users)).toEqual([other.id]);
  });

  it('accepts already_login (ignored) as a boolean, a 0/1 flag or their text', async () => {
    for (const already_login of [true, false, 0, 1, '0', '1', 'true', 'false']) {
      const res = await t.http.post('/users/register_device_token').set(t.auth(customer)).send({ device_token: 'device-token-flags-01', already_login });
      expect([already_login, res.status]).toEqual([already_login, 200]);
    }
    expect((await t.app.db.userDeviceToken.findUniqueOrThrow({ where: { device_token: 'device-token-flags-01' } })).id_users).toBe(customer.id);
    const bad = await t.http.post('/users/register_device_token').set(t.auth(customer)).send({ device_token: 'device-token-flags-01', already_login: 'yes' });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'already_login']);
  });

  it('uploads a real image only, and serves it under /uploads', async () => {
    const ok = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', PNG_1PX, 'evil.php');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ image_upload: true });
    expect(ok.body.img).toMatch(/^[A-Za-z0-9]+\.png$/);
    expect(ok.body.img_path).toBe(`http://api.test/uploads/users/${ok.body.img}`);
    const served = await t.http.get(`/uploads/users/${ok.body.img}`);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    // the folder itself is no file: the JSON 404, not an HTML redirect to "/uploads/users/" (also a 404)
    const folder = await t.http.get('/uploads/users').redirects(0);
    expect([folder.status, folder.body.status]).toEqual([404, 404]);

    const fake = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', Buffer.from('<?php echo 1; ?>'), 'a.png');
    expect(fake.status).toBe(415);
    const big = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', Buffer.concat([PNG_1PX, Buffer.alloc(6 * 1024 * 1024)]), 'big.png');
    expect(big.status).toBe(413);
    const someoneElse = await t.http.post('/users/picture/upload').set(t.auth(customer)).field('id_users', String(other.id)).attach('picture', PNG_1PX, 'a.png');
    expect(someoneElse.status).toBe(403);
  });

  it('keeps exactly the referenced picture when uploads for one user run at the same time, and none of a refused one', async () => {
    const u = await t.user(['CUSTOMER']);
    const answers = await Promise.all([1, 2, 3, 4].map(() => t.http.post('/users/picture/upload').set(t.auth(u)).attach('picture', PNG_1PX, 'a.png')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // every file in the folder is some user's picture: none was left behind by a replaced upload
    const referenced = (await t.app.db.user.findMany({ where: { users_picture: { not: '' } } })).map((x) => x.users_picture);
    const files = () => readdirSync(path.join(t.app.config.UPLOAD_DIR, 'users'));
    expect(files().sort()).toEqual([...new Set(referenced)].sort());
    const mine = (await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_picture;
    expect(answers.map((a) => a.body.img)).toContain(mine);

    // a picture of a deleted account is refused and leaves nothing behind
    const gone = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    expect((await t.http.post('/users/picture/upload').set(t.auth(admin)).field('id_users', String(gone.id)).attach('picture', PNG_1PX, 'a.png')).status).toBe(404);
    expect(files().sort()).toEqual([...new Set(referenced)].sort());
  });
});
