import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

describe('files served from the API origin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('never run a script: other files than pictures under /uploads (an old system copied in) are downloads, all sandboxed', async () => {
    const legacy = path.join(t.app.config.UPLOAD_DIR, 'legacy');
    mkdirSync(legacy, { recursive: true });
    writeFileSync(path.join(legacy, 'promo.html'), '<script>fetch("/users/data")</script>');
    writeFileSync(path.join(legacy, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    for (const name of ['promo.html', 'logo.svg']) {
      const res = await t.http.get(`/uploads/legacy/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe('attachment');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }

    const customer = await t.user(['CUSTOMER']);
    const up = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', PNG_1PX, 'me.png');
    const pic = await t.http.get(new URL(up.body.img_path).pathname);
    expect(pic.status).toBe(200);
    expect(pic.headers['content-type']).toBe('image/png');
    expect(pic.headers['content-disposition']).toBeUndefined(); // shown where the app puts it
    expect(pic.headers['content-security-policy']).toMatch(/sandbox/);
    expect(pic.headers['x-content-type-options']).toBe('nosniff');

    // a private file: a download through its signed link, sandboxed too
    mkdirSync(path.join(t.app.config.PRIVATE_UPLOAD_DIR, 'thread_messages'), { recursive: true });
    writeFileSync(path.join(t.app.config.PRIVATE_UPLOAD_DIR, 'thread_messages', 'abc123.pdf'), '%PDF-1.4\n%%EOF\n');
    const link = new URL(t.app.storage.signedUrl('thread_messages', 'abc123.pdf', t.app.now().getTime()));
    const pdf = await t.http.get(link.pathname + link.search);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe('attachment');
    expect(pdf.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
  });
});
