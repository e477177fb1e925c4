import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp } from '../helpers/app.js';

// A multipart body's text fields are held in memory like a JSON body. Upload forms carry only a
// few ids and flags; a field is not allowed to be what a JSON body as a whole may not (BODY_LIMIT),
// or any signed-in customer could hold 50 fields × 1 MB per request in the server's memory.
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('multipart text fields', () => {
  it('refuses a text field far larger than any upload form needs, and keeps no file', async () => {
    const customer = await t.user(['CUSTOMER']);
    const res = await t.http
      .post('/users/picture/upload')
      .set(t.auth(customer))
      .field('note', 'x'.repeat(200_000))
      .attach('picture', PNG_1PX, 'a.png');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413 });
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } });
    expect(row.users_picture ?? '').toBe('');
  });

  it('still accepts the forms as sent', async () => {
    const customer = await t.user(['CUSTOMER']);
    const res = await t.http.post('/users/picture/upload').set(t.auth(customer)).field('id_users', String(customer.id)).attach('picture', PNG_1PX, 'a.png');
    expect(res.status).toBe(200);
  });
});
