import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, PNG_1PX, type TestApp } from '../helpers/app.js';

// Where uploaded files live and when they go.

describe('PRIVATE_UPLOAD_DIR', () => {
  it('may not be UPLOAD_DIR or a folder inside it, which /uploads serves to anyone', () => {
    expect(() => loadConfig({ UPLOAD_DIR: './uploads', PRIVATE_UPLOAD_DIR: './uploads/private' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(() => loadConfig({ UPLOAD_DIR: '/srv/files', PRIVATE_UPLOAD_DIR: '/srv/files' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(() => loadConfig({ UPLOAD_DIR: '/srv/files/', PRIVATE_UPLOAD_DIR: '/srv/files/../files/x' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(loadConfig({ UPLOAD_DIR: '/srv/files', PRIVATE_UPLOAD_DIR: '/srv/files-private' }).PRIVATE_UPLOAD_DIR).toBe('/srv/files-private');
    expect(loadConfig({ UPLOAD_DIR: '/srv/data/public', PRIVATE_UPLOAD_DIR: '/srv/data' }).PRIVATE_UPLOAD_DIR).toBe('/srv/data');
    expect(loadConfig({}).PRIVATE_UPLOAD_DIR).toBe('./data/private-uploads');
  });
});

describe('a deleted account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('no longer shows its picture: the row forgets it and the public file is removed', async () => {
    await t.user(['OWNER']); // the clinic keeps an owner: deleting an account checks it
    const admin = await t.user(['ADMIN']);
    const customer = await t.user(['CUSTOMER']);
    const up = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', PNG_1PX, 'me.png');
    expect(up.status).toBe(200);
    const url = new URL(up.body.img_path);
    const file = path.join(t.app.config.UPLOAD_DIR, 'users', up.body.img);
    expect(existsSync(file)).toBe(true);

    expect((await t.http.delete(`/users/${customer.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } });
    expect(row.users_picture).toBe('');
    expect(existsSync(file)).toBe(false);
    expect((await t.http.get(url.pathname)).status).toBe(404);
  });
});
