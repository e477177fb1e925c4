import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, createConsultationOrder, createMenu, pay, PDF_BYTES } from './fixtures.js';

let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let admin: TestUser;
let stranger: TestUser;
let otherDoctor: TestUser;
let threadId: number;
const realNow = () => new Date();

beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  f = await consultationFixture(t);
  admin = await t.user(['ADMIN']);
  stranger = await t.user(['CUSTOMER']);
  otherDoctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

describe('order.paid opens the consultation', () => {
  it('creates one thread customer → doctor with the window, and notifies both, however often it is emitted', async () => {
    await Promise.all([pay(t, f.order.id), pay(t, f.order.id)].map((p) => p.catch((e) => e)));
    await pay(t, f.order.id);
    const threads = await t.app.db.thread.findMany({ where: { id_order: f.order.id } });
    expect(threads).toHaveLength(1);
    const th = threads[0]!;
    threadId = th.id;
    expect(th).toMatchObject({ id_user_from: f.customer.id, id_user_to: f.doctor.id, id_patients: f.patient.id, thread_type: 'online_consultations' });
    const order = await t.app.db.order.findUniqueOrThrow({ where: { id: f.order.id } });
    expect(order.consultation_closed).not.toBeNull();
    expect(th.estimate_done_at?.getTime()).toBe(order.consultation_closed!.getTime());
    const minutes = (order.consultation_closed!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(55);
    expect(minutes).toBeLessThanOrEqual(60);
    const notes = await t.app.db.notification.findMany({ where: { intentions: 'consultation_opened' } });
    expect(notes.map((n) => n.id_user_to).sort()).toEqual([f.customer.id, f.doctor.id].sort());
    expect(await t.app.db.notification.count({ where: { intentions: 'order_paid', id_user_to: f.customer.id } })).toBeGreaterThanOrEqual(1);
  });

  it('does nothing for an E order', async () => {
    const o = await t.app.db.order.create({ data: { order_type: 'E', cart_open: null, id_member: f.customer.id, id_patients: f.patient.id } });
    await pay(t, o.id);
    expect(await t.app.db.thread.count({ where: { id_order: o.id } })).toBe(0);
  });
});

describe('threads: participants only', () => {
  it('shows the thread to both participants and admins with the documented shape', async () => {
    for (const u of [f.customer, f.doctor, admin]) {
      const res = await t.http.get(`/threads/${threadId}`).set(t.auth(u));
      expect(res.status).toBe(200);
      expect(res.body.threads).toMatchObject({ id: threadId, id_order: f.order.id, is_closed: 0, queue_number: 0, last_seen_at: null });
      expect(res.body.threads.user_from).toMatchObject({ id: f.customer.id, username: f.customer.username });
      expect(res.body.threads.user_to).toMatchObject({ id: f.doctor.id });
      expect(res.body.threads.order_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });

  it("gives the customer the doctor's account as doctors/:id does (no private contact data); the doctor and staff the customer's", async () => {
    await t.app.db.user.update({ where: { id: f.doctor.id }, data: { users_address: 'Jl. Rumah Pribadi Dokter 7', users_birthday: new Date('1980-02-03') } });
    const contact = (u: Record<string, unknown>) => [u.users_email, u.users_phone, u.users_address, u.users_birthday];
    const pub = (await t.http.get(`/doctors/${f.doctorRow.id}`).set(t.auth(f.customer))).body.doctors.users;
    expect(contact(pub)).toEqual(['', '', '', null]);
    const asCustomer = (await t.http.get(`/threads/${threadId}`).set(t.auth(f.customer))).body.threads;
    expect(asCustomer.user_to).toMatchObject({ id: f.doctor.id, username: f.doctor.username, users_fullname: `Test ${f.doctor.username}`, is_blocked: 0 });
    expect(contact(asCustomer.user_to)).toEqual(contact(pub));
    expect(asCustomer.user_from.users_email).toBe(`${f.customer.username}@example.com`);
    const asDoctor = (await t.http.get(`/threads/${threadId}`).set(t.auth(f.doctor))).body.threads;
    expect(contact(asDoctor.user_to)).toEqual([`${f.doctor.username}@example.com`, expect.any(String), 'Jl. Rumah Pribadi Dokter 7', '1980-02-03']);
    expect(asDoctor.user_from.users_email).toBe(`${f.customer.username}@example.com`);
    const asAdmin = (await t.http.get(`/threads/${threadId}`).set(t.auth(admin))).body.threads;
    expect(contact(asAdmin.user_to)).toEqual(contact(asDoctor.user_to));
  });

  it('is a 404 for anyone else, whatever they try', async () => {
    expect((await t.http.get(`/threads/${threadId}`).set(t.auth(stranger))).status).toBe(404);
    expect((await t.http.get(`/threads/${threadId}`).set(t.auth(otherDoctor))).status).toBe(404);
    expect((await t.http.post('/thread_messages/text').set(t.auth(stranger)).send({ id_threads: threadId, content: 'hi' })).status).toBe(404);
    expect((await t.http.post('/thread_messages/explore').set(t.auth(stranger)).send({ id_threads: threadId })).status).toBe(404);
    const list = await t.http.post('/threads/explore').set(t.auth(stranger)).send({});
    expect(list.body.totaldata).toBe(0);
    const all = await t.http.post('/thread_messages/explore').set(t.auth(stranger)).send({});
    expect(all.body.totaldata).toBe(0);
  });

  it('lists, searches and tables threads with the documented fields', async () => {
    const ex = await t.http.post('/threads/explore?page=1&length=10').set(t.auth(f.customer)).send({ is_closed: 0 });
    expect(ex.status).toBe(200);
    expect(ex.body.totaldata).toBe(1);
    expect(ex.body.data[0]).toMatchObject({ id: threadId, id_user_from: f.customer.id, id_user_to: f.doctor.id, user_to: `Test ${f.doctor.username}` });
    const search = await t.http.post('/threads/search').set(t.auth(admin)).send({ id_order: f.order.id });
    expect(search.body.threads).toHaveLength(1);
    const table = await t.http.post('/threads/table').set(t.auth(admin)).send({ draw: 3, start: 0, length: 10, order: [{ column: 0, dir: 'desc' }] });
    expect(table.body).toMatchObject({ draw: 3, recordsFiltered: 1 });
    expect(table.body.data[0]).toHaveLength(16);
    expect(table.body.data[0][0]).toBe(threadId);
    expect((await t.http.post('/threads/table').set(t.auth(f.customer)).send({})).status).toBe(200);
  });

  it('table columns 13 and 15 are user_from_picture and user_to_picture as the lists print them (the file names)', async () => {
    await t.app.db.user.update({ where: { id: f.customer.id }, data: { users_picture: 'pelanggan.png' } });
    await t.app.db.user.update({ where: { id: f.doctor.id }, data: { users_picture: 'dokter.png' } });
    const ex = await t.http.post('/threads/search').set(t.auth(admin)).send({ id_order: f.order.id });
    expect(ex.body.threads[0]).toMatchObject({ user_from_picture: 'pelanggan.png', user_to_picture: 'dokter.png' });
    const table = await t.http.post('/threads/table').set(t.auth(admin)).send({ draw: 1, start: 0, length: 10, id_order: f.order.id });
    const row = table.body.data[0];
    expect(row[12]).toBe(`Test ${f.customer.username}`);
    expect(row[13]).toBe('pelanggan.png');
    expect(row[14]).toBe(`Test ${f.doctor.username}`);
    expect(row[15]).toBe('dokter.png');
    await t.app.db.user.updateMany({ where: { id: { in: [f.customer.id, f.doctor.id] } }, data: { users_picture: '' } });
  });

  it('groups overview (with patient, allergies and doctor), overview/doctors and adminview', async () => {
    const ov = await t.http.post('/threads/overview').set(t.auth(f.customer)).send({});
    expect(ov.status).toBe(200);
    expect(ov.body.archive).toEqual({ prescriptions: [], online_consultations: [] });
    const item = ov.body.active.online_consultations[0];
    expect(item).toMatchObject({ id: threadId, id_patients: f.patient.id, patients: { id: f.patient.id, nama_lengkap_pasien: 'Pasien Satu' } });
    expect(item.patients.allergies.map((a: { allergies: string }) => a.allergies)).toEqual(['debu']);
    expect(item.doctors).toMatchObject({ id: f.doctorRow.id, id_users: f.doctor.id, custom_price: 125000 });
    const doc = await t.http.post('/threads/overview/doctors').set(t.auth(f.doctor)).send({});
    expect(doc.body.active.online_consultations.map((x: { id: number }) => x.id)).toEqual([threadId]);
    expect((await t.http.post('/threads/overview/doctors').set(t.auth(f.customer)).send({})).status).toBe(403);
    expect((await t.http.post('/threads/adminview').set(t.auth(f.customer)).send({})).status).toBe(403);
    const av = await t.http.post('/threads/adminview').set(t.auth(admin)).send({});
    expect(av.body.active.online_consultations.map((x: { id: number }) => x.id)).toContain(threadId);
    const other = await t.http.post('/threads/overview').set(t.auth(stranger)).send({});
    expect(other.body.active.online_consultations).toEqual([]);
  });

  it('take a filter sent empty ("" or null) as no filter, as explore does; id_user_to 0 still means no doctor', async () => {
    const ids = (body: { active: Record<string, { id: number }[]>; archive: Record<string, { id: number }[]> }) =>
      [...body.active.online_consultations, ...body.archive.online_consultations].map((x) => x.id);
    const all = await t.http.post('/threads/adminview').set(t.auth(admin)).send({});
    expect(ids(all.body)).toContain(threadId);
    for (const body of [{ is_closed: '', thread_type: '', id_user_to: '', id_order: '' }, { is_closed: null, id_user_to: null, id_patients: null }]) {
      const av = await t.http.post('/threads/adminview').set(t.auth(admin)).send(body);
      expect(av.status).toBe(200);
      expect(ids(av.body)).toEqual(ids(all.body));
      const ov = await t.http.post('/threads/overview').set(t.auth(f.customer)).send(body);
      expect(ov.status).toBe(200);
      expect(ids(ov.body)).toEqual([threadId]);
      const ex = await t.http.post('/threads/explore?page=1&length=100').set(t.auth(f.customer)).send(body);
      expect(ex.body.data.map((x: { id: number }) => x.id)).toEqual([threadId]);
    }
    const none = await t.http.post('/threads/overview').set(t.auth(f.customer)).send({ id_user_to: 0 });
    expect(ids(none.body)).toEqual([]);
  });
});

describe('messages', () => {
  let textId: number;
  it('sends text, updates last_update_at and notifies the other side', async () => {
    const res = await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: 'Hallo Dok, 🙏', content_type: 'text' });
    expect(res.status).toBe(200);
    textId = res.body.thread_messages.id;
    expect(res.body.thread_messages).toMatchObject({ intentions: '-', content_type: 'text', content: 'Hallo Dok, 🙏', priority: 'standard', url: '', is_read: 0 });
    expect(res.body.thread_messages.threads).toMatchObject({ id: threadId });
    expect(res.body.thread_messages.threads.last_update_at).not.toBeNull();
    const note = await t.app.db.notification.findFirst({ where: { intentions: 'new_message', id_user_to: f.doctor.id } });
    expect(note).toMatchObject({ id_user_from: f.customer.id, reference_type: 'threads', reference_id: threadId });
  });

  it('rejects bad input with 400', async () => {
    expect((await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: '' })).status).toBe(400);
    expect((await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: 'x', content: 'a' })).status).toBe(400);
  });

  it('explores newest first with bubbles, and reading marks the other side read', async () => {
    await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: threadId, content: 'Halo, ada keluhan apa?' });
    const mine = await t.http.post('/thread_messages/explore?page=1&length=10').set(t.auth(f.customer)).send({ id_threads: threadId });
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((m: { content: string }) => m.content)).toEqual(['Halo, ada keluhan apa?', 'Hallo Dok, 🙏']);
    expect(mine.body.data.map((m: { bubble: string }) => m.bubble)).toEqual(['left', 'right']);
    // the answer already shows the receipt it wrote (the doctor's message), not the state before
    expect(mine.body.data.map((m: { is_read: number }) => m.is_read)).toEqual([1, 0]);
    expect(mine.body.data[0].read_at).not.toBeNull();
    // a page past the end: the count, no messages
    const past = await t.http.post('/thread_messages/explore?page=5&length=10').set(t.auth(f.customer)).send({ id_threads: threadId });
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ page: 5, totaldata: 2, data: [] });
    // the customer read the doctor's message; the customer's own message is still unread
    const rows = await t.app.db.threadMessage.findMany({ where: { id_threads: threadId }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.is_read)).toEqual([0, 1]);
    const th = await t.app.db.thread.findUniqueOrThrow({ where: { id: threadId } });
    expect(th.user_from_last_seen_at).not.toBeNull();
    expect(th.user_to_last_seen_at).toBeNull();
    // an admin reading changes nothing
    await t.http.post('/thread_messages/explore').set(t.auth(admin)).send({ id_threads: threadId });
    expect((await t.app.db.threadMessage.findUniqueOrThrow({ where: { id: textId } })).is_read).toBe(0);
    await t.http.post('/thread_messages/explore').set(t.auth(f.doctor)).send({ id_threads: threadId });
    expect((await t.app.db.threadMessage.findUniqueOrThrow({ where: { id: textId } })).is_read).toBe(1);
    const detail = await t.http.get(`/threads/${threadId}`).set(t.auth(f.doctor));
    expect(detail.body.threads.last_seen_at).not.toBeNull();
  });

  it('searches and tables messages with the same filters as explore (id_user_to too)', async () => {
    const toDoctor = { id_threads: threadId, id_user_to: f.doctor.id };
    const ex = await t.http.post('/thread_messages/explore').set(t.auth(admin)).send(toDoctor);
    expect(ex.body.data.map((m: { content: string }) => m.content)).toEqual(['Hallo Dok, 🙏']);
    const se = await t.http.post('/thread_messages/search').set(t.auth(admin)).send(toDoctor);
    expect(se.status).toBe(200);
    expect(se.body.thread_messages.map((m: { content: string }) => m.content)).toEqual(['Hallo Dok, 🙏']);
    const tb = await t.http.post('/thread_messages/table').set(t.auth(f.customer)).send({ ...toDoctor, draw: 1 });
    expect(tb.body).toMatchObject({ recordsTotal: 2, recordsFiltered: 1 });
    expect(tb.body.data.map((row: unknown[]) => row[3])).toEqual([f.doctor.id]);
    // 0 = addressed to nobody: none in a two-party thread
    expect((await t.http.post('/thread_messages/search').set(t.auth(admin)).send({ id_threads: threadId, id_user_to: 0 })).body.thread_messages).toEqual([]);
  });

  it('explore takes a filter sent empty ("" or null) as no filter, as search does', async () => {
    const contents = async (body: object) => {
      const res = await t.http.post('/thread_messages/explore').set(t.auth(admin)).send(body);
      expect(res.status).toBe(200);
      return res.body.data.map((m: { id: number }) => m.id);
    };
    const all = await contents({ id_threads: threadId });
    expect(all).toHaveLength(2);
    expect(await contents({ id_threads: threadId, id_user_to: '', id_user_from: '', content_type: '' })).toEqual(all);
    expect(await contents({ id_threads: threadId, id_user_to: null, content_type: null })).toEqual(all);
    expect(await contents({ id_threads: '', id_user_to: f.doctor.id })).toEqual(await contents({ id_user_to: f.doctor.id }));
  });

  it('lets only the author edit a text message, and the author or an admin delete it', async () => {
    expect((await t.http.put(`/thread_messages/${textId}/update_text`).set(t.auth(f.doctor)).send({ content: 'x' })).status).toBe(403);
    const ok = await t.http.put(`/thread_messages/${textId}/update_text`).set(t.auth(f.customer)).send({ content: '*edited' });
    expect(ok.status).toBe(200);
    expect(ok.body.thread_messages).toMatchObject({ id: textId, content: '*edited' });
    expect((await t.http.put(`/thread_messages/${textId}/update_text`).set(t.auth(stranger)).send({ content: 'x' })).status).toBe(404);
    expect((await t.http.delete(`/thread_messages/${textId}/delete`).set(t.auth(f.doctor))).status).toBe(403);
    const get = await t.http.get(`/thread_messages/${textId}`).set(t.auth(f.doctor));
    expect(get.body.thread_messages).toMatchObject({ id: textId, content: '*edited', threads: { id: threadId } });
    expect((await t.http.get(`/thread_messages/${textId}`).set(t.auth(stranger))).status).toBe(404);
    const del = await t.http.delete(`/thread_messages/${textId}/delete`).set(t.auth(admin));
    expect(del.body).toEqual({ deleted: true });
    expect((await t.http.get(`/thread_messages/${textId}`).set(t.auth(f.customer))).status).toBe(404);
  });

  it('stores images and PDFs privately and serves them only through signed links', async () => {
    const img = await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(threadId)).attach('image', PNG_1PX, 'kulit.png');
    expect(img.status).toBe(200);
    expect(img.body.thread_messages).toMatchObject({ content_type: 'image', content: 'kulit.png' });
    const url = new URL(img.body.thread_messages.url);
    expect(url.pathname).toMatch(/^\/files\/thread_messages\/[A-Za-z0-9]+\.png$/);
    const file = await t.http.get(url.pathname + url.search);
    expect(file.status).toBe(200);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect((await t.http.get(url.pathname)).status).toBe(404);
    expect((await t.http.get(`/uploads/thread_messages/${url.pathname.split('/').pop()}`)).status).toBe(404);

    // a non-ASCII name comes back as sent (UTF-8), not read as latin1
    const named = await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(threadId)).attach('image', PNG_1PX, 'ruam-kulit-é.png');
    expect([named.status, named.body.thread_messages?.content]).toEqual([200, 'ruam-kulit-é.png']);

    const pdf = await t.http.post('/thread_messages/attachments').set(t.auth(f.doctor)).field('id_threads', String(threadId)).attach('attachments', PDF_BYTES, 'hasil.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.body.thread_messages).toMatchObject({ content_type: 'attachments', content: 'hasil.pdf', file_mime: 'application/pdf' });
    // a PDF is no image; a script is neither
    expect((await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(threadId)).attach('image', PDF_BYTES, 'x.png')).status).toBe(415);
    expect(
      (await t.http.post('/thread_messages/attachments').set(t.auth(f.customer)).field('id_threads', String(threadId)).attach('attachments', Buffer.from('<script>alert(1)</script>'), 'x.pdf')).status,
    ).toBe(415);
    expect((await t.http.post('/thread_messages/image').set(t.auth(stranger)).field('id_threads', String(threadId)).attach('image', PNG_1PX, 'a.png')).status).toBe(404);
  });
  // The file was removed whenever the request failed, also after its message had committed: the
  // message then pointed at a file that was gone.
  it('keeps the file of a committed message when the answer cannot be read afterwards', async () => {
    const messages = t.app.db.threadMessage;
    const read = messages.findUniqueOrThrow;
    (messages as any).findUniqueOrThrow = () => Promise.reject(new Error('connection lost'));
    let res;
    try {
      res = await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(threadId)).attach('image', PNG_1PX, 'kept.png');
    } finally {
      (messages as any).findUniqueOrThrow = read;
    }
    expect(res.status).toBe(500);
    const saved = await t.app.db.threadMessage.findFirstOrThrow({ where: { id_threads: threadId, content: 'kept.png' } });
    const files = await readdir(path.join(t.app.config.PRIVATE_UPLOAD_DIR, 'thread_messages'));
    expect(files).toContain(saved.file_name);
  });

  it('answers a malformed multipart body with 400 and stores nothing', async () => {
    const before = await t.app.db.threadMessage.count({ where: { id_threads: threadId } });
    for (const kind of ['image', 'attachments']) {
      const noBoundary = await t.http.post(`/thread_messages/${kind}`).set(t.auth(f.customer)).set('Content-Type', 'multipart/form-data').send('garbage');
      expect([noBoundary.status, noBoundary.body.message]).toEqual([400, 'Invalid upload: Multipart: Boundary not found']);
      const truncated = await t.http
        .post(`/thread_messages/${kind}`)
        .set(t.auth(f.customer))
        .set('Content-Type', 'multipart/form-data; boundary=XYZ')
        .send(`--XYZ\r\nContent-Disposition: form-data; name="id_threads"\r\n\r\n${threadId}\r\n--XYZ\r\nContent-Disposition: form-data; name="${kind}"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc`);
      expect([truncated.status, truncated.body.message]).toEqual([400, 'Invalid upload: Unexpected end of form']);
      const badHeader = await t.http
        .post(`/thread_messages/${kind}`)
        .set(t.auth(f.customer))
        .set('Content-Type', 'multipart/form-data; boundary=XYZ')
        .send(`--XYZ\r\nno colon here\r\n\r\nabc\r\n--XYZ--\r\n`);
      expect([badHeader.status, badHeader.body.message]).toEqual([400, 'Invalid upload: Malformed part header']);
    }
    expect(await t.app.db.threadMessage.count({ where: { id_threads: threadId } })).toBe(before);
  });
});

describe('the consultation window', () => {
  it('refuses messages after the window, until the doctor reopens it', async () => {
    const later = new Date(Date.now() + 2 * 3600_000);
    t.app.now = () => later;
    try {
      const late = await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: 'masih bisa?' });
      expect(late.status).toBe(409);
      const ov = await t.http.post('/threads/overview').set(t.auth(f.customer)).send({});
      expect(ov.body.archive.online_consultations.map((x: { id: number }) => x.id)).toEqual([threadId]);
      expect((await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(f.customer))).status).toBe(403);
      expect((await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(otherDoctor))).status).toBe(404);
      const reopen = await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(f.doctor));
      expect(reopen.body).toEqual({ reopen: true });
      expect((await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(f.doctor))).status).toBe(409);
      expect((await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: 'masih bisa?' })).status).toBe(200);
    } finally {
      t.app.now = realNow;
    }
  });

  it('refuses messages once closed; close and reopen are for the doctor and admins', async () => {
    expect((await t.http.put(`/threads/${threadId}/close`).set(t.auth(f.customer))).status).toBe(403);
    const close = await t.http.put(`/threads/${threadId}/close`).set(t.auth(f.doctor));
    expect(close.body).toEqual({ close: true });
    expect((await t.http.put(`/threads/${threadId}/close`).set(t.auth(admin))).status).toBe(409);
    expect((await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: threadId, content: 'x' })).status).toBe(409);
    expect((await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(admin))).body).toEqual({ reopen: true });
    expect((await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: threadId, content: 'x' })).status).toBe(200);
  });

  it('a close racing with messages: every message is either refused or written before the close', async () => {
    const sends = Array.from({ length: 8 }, (_, i) => t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: `race ${i}` }));
    const [closeRes, ...results] = await Promise.all([t.http.put(`/threads/${threadId}/close`).set(t.auth(f.doctor)), ...sends]);
    expect(closeRes.status).toBe(200);
    for (const r of results) expect([200, 409]).toContain(r.status);
    // Accepted messages were written (before the close took the thread row); refused ones left nothing.
    // (created_at is the database's transaction start and closed_at the app's clock, so the two are not
    // compared: the order is decided by the row lock, not by timestamps.)
    const stored = await t.app.db.threadMessage.count({ where: { id_threads: threadId, content: { startsWith: 'race ' } } });
    expect(stored).toBe(results.filter((r) => r.status === 200).length);
    const late = await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: threadId, content: 'too late' });
    expect(late.status).toBe(409);
    await t.http.put(`/threads/${threadId}/reopen`).set(t.auth(admin));
  });
});

describe('threads by hand (admin)', () => {
  it('creates, updates and deletes', async () => {
    const strangersPatient = await t.app.db.patient.create({ data: { id_users: stranger.id, nama_lengkap_pasien: 'Pasien Stranger' } });
    const order = await createConsultationOrder(t, stranger, strangersPatient.id, f.doctorRow.id);
    expect((await t.http.post('/threads/create').set(t.auth(f.customer)).send({ id_order: order.id, id_user_from: stranger.id })).status).toBe(403);
    // a thread shows its patient to its customer: never someone else's patient or order
    const foreignPatient = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: stranger.id, id_patients: f.patient.id });
    expect(foreignPatient.status).toBe(422);
    expect(foreignPatient.body.errors).toEqual([{ field: 'id_patients', message: "not the customer's patient" }]);
    const foreignOrder = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_order: order.id, id_user_from: f.customer.id });
    expect(foreignOrder.status).toBe(422);
    expect(await t.app.db.thread.count({ where: { id_order: order.id } })).toBe(0);
    const res = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_order: order.id, id_user_from: stranger.id, id_user_to: f.doctor.id });
    expect(res.status).toBe(200);
    expect(res.body.threads).toMatchObject({ id_order: order.id, is_closed: 0, user_from: { id: stranger.id }, user_to: { id: f.doctor.id } });
    const id = res.body.threads.id;
    expect((await t.http.post('/threads/create').set(t.auth(admin)).send({ id_order: order.id, id_user_from: stranger.id })).status).toBe(409);
    const upd = await t.http.put(`/threads/${id}/update`).set(t.auth(f.doctor)).send({ is_closed: 1 });
    expect(upd.status).toBe(200);
    expect(upd.body.threads.is_closed).toBe(1);
    expect((await t.http.delete(`/threads/${id}/delete`).set(t.auth(f.doctor))).status).toBe(403);
    expect((await t.http.delete(`/threads/${id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/threads/${id}`).set(t.auth(stranger))).status).toBe(404);
  });

  it("gives a thread only a doctor's account as its doctor (id_user_to), never another customer or its own customer (422)", async () => {
    const A = t.auth(admin);
    const missing = 999_999;
    for (const to of [stranger.id, f.customer.id, missing]) {
      const res = await t.http.post('/threads/create').set(A).send({ id_user_from: f.customer.id, id_user_to: to });
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_user_to', message: 'not a doctor' }]]);
    }
    const made = await t.http.post('/threads/create').set(A).send({ id_user_from: f.customer.id, id_user_to: f.doctor.id });
    expect(made.status).toBe(200);
    const id = made.body.threads.id;
    for (const to of [stranger.id, f.customer.id, missing]) {
      const res = await t.http.put(`/threads/${id}/update`).set(A).send({ id_user_to: to });
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_user_to', message: 'not a doctor' }]]);
    }
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id } })).id_user_to).toBe(f.doctor.id);
    // handed to another doctor, or to nobody (0)
    const moved = await t.http.put(`/threads/${id}/update`).set(A).send({ id_user_to: otherDoctor.id });
    expect([moved.status, moved.body.threads?.user_to?.id]).toEqual([200, otherDoctor.id]);
    expect((await t.http.put(`/threads/${id}/update`).set(A).send({ id_user_to: 0 })).status).toBe(200);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id } })).id_user_to).toBeNull();
    await t.http.delete(`/threads/${id}/delete`).set(A);
  });

  it('keeps closed_at when an update sends is_closed 1 to a thread already closed', async () => {
    const A = t.auth(admin);
    const id = (await t.http.post('/threads/create').set(A).send({ id_user_from: f.customer.id, id_user_to: f.doctor.id })).body.threads.id;
    const now = t.app.now;
    try {
      t.app.now = () => new Date('2031-03-01T03:00:00Z');
      const closed = await t.http.put(`/threads/${id}/update`).set(t.auth(f.doctor)).send({ is_closed: 1 });
      expect(closed.body.threads).toMatchObject({ is_closed: 1, closed_at: '2031-03-01 10:00:00' });
      t.app.now = () => new Date('2031-03-02T03:00:00Z');
      const again = await t.http.put(`/threads/${id}/update`).set(A).send({ is_closed: 1, queue_number: 2 });
      expect(again.body.threads).toMatchObject({ is_closed: 1, queue_number: 2, closed_at: '2031-03-01 10:00:00' });
    } finally {
      t.app.now = now;
    }
    await t.http.delete(`/threads/${id}/delete`).set(A);
  });
});

// last in the file: it adds threads that the counts above would see
describe('the patient a paid consultation shows', () => {
  it("never shows the buyer another customer's patient: staff cannot init such a cart, an older order opens without it", async () => {
    const buyer = await t.user(['CUSTOMER']);
    const theirs = await t.app.db.patient.create({ data: { id_users: f.customer.id, nama_lengkap_pasien: 'Pasien Orang Lain', catatan: 'riwayat' } });
    const init = await t.http.post('/orders/init').set(t.auth(admin)).send({ id_users: buyer.id, id_patients: theirs.id, order_type: 'C' });
    expect(init.status).toBe(422);
    expect(init.body.errors).toEqual([{ field: 'id_patients', message: "not the customer's patient" }]);
    expect(await t.app.db.order.count({ where: { id_member: buyer.id } })).toBe(0);
    // the buyer's own patient is fine, also when staff open the cart
    const own = await t.app.db.patient.create({ data: { id_users: buyer.id, nama_lengkap_pasien: 'Pasien Pembeli' } });
    expect((await t.http.post('/orders/init').set(t.auth(admin)).send({ id_users: buyer.id, id_patients: own.id, order_type: 'C' })).status).toBe(200);
    // an order made before the rule (or directly): paid, its thread opens without that patient
    const docUser = await t.user(['DOCTOR']);
    const doctorRow = await t.app.db.doctor.create({ data: { id_users: docUser.id, custom_price: 100000 } });
    const older = await createConsultationOrder(t, buyer, theirs.id, doctorRow.id);
    await pay(t, older.id);
    const th = await t.app.db.thread.findFirstOrThrow({ where: { id_order: older.id } });
    expect(th).toMatchObject({ id_user_from: buyer.id, id_user_to: docUser.id, id_patients: null });
    const ov = await t.http.post('/threads/overview').set(t.auth(buyer)).send({});
    expect(ov.status).toBe(200);
    expect(ov.body.active.online_consultations.find((x: { id: number }) => x.id === th.id).patients).toBeNull();
  });
});

describe('overview shows the patient only while the caller may read it', () => {
  const overviewPatient = async (path: string, who: TestUser, id: number) => {
    const ov = await t.http.post(path).set(t.auth(who)).send({});
    expect(ov.status).toBe(200);
    return ov.body.active.online_consultations.find((x: { id: number }) => x.id === id).patients;
  };

  it("a soft-deleted patient's notes and allergies no longer reach the doctor or the customer", async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    await t.app.db.patient.update({ where: { id: g.patient.id }, data: { catatan: 'riwayat alergi obat' } });
    expect(await overviewPatient('/threads/overview/doctors', g.doctor, id)).toMatchObject({ id: g.patient.id, catatan: 'riwayat alergi obat' });
    expect((await t.http.delete(`/patients/${g.patient.id}/delete`).set(t.auth(g.customer))).status).toBe(200);
    expect(await overviewPatient('/threads/overview/doctors', g.doctor, id)).toBeNull();
    expect(await overviewPatient('/threads/overview', g.doctor, id)).toBeNull();
    expect(await overviewPatient('/threads/overview', g.customer, id)).toBeNull();
    // the thread itself still names it
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id } })).id_patients).toBe(g.patient.id);
  });

  it('after staff link the patient to another account, the former manager no longer gets it (the doctor still does)', async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    expect(await overviewPatient('/threads/overview', g.customer, id)).toMatchObject({ id: g.patient.id, allergies: [expect.objectContaining({ allergies: 'debu' })] });
    const guardian = await t.user(['CUSTOMER']);
    expect((await t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users: guardian.id, id_patients: g.patient.id })).status).toBe(200);
    expect(await overviewPatient('/threads/overview', g.customer, id)).toBeNull();
    expect(await overviewPatient('/threads/overview/doctors', g.doctor, id)).toMatchObject({ id: g.patient.id });
  });
});

describe('read receipts follow the addressee', () => {
  const explore = (u: TestUser, id: number) => t.http.post('/thread_messages/explore').set(t.auth(u)).send({ id_threads: id }).expect(200);
  const readState = async (id: number) => {
    const m = await t.app.db.threadMessage.findUniqueOrThrow({ where: { id } });
    return m.is_read;
  };

  it("after an admin hands the thread to another doctor, the new doctor's reading leaves the previous doctor's messages to the customer unread", async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    const fromOld = (await t.http.post('/thread_messages/text').set(t.auth(g.doctor)).send({ id_threads: id, content: 'Silakan oleskan krim 2x sehari' }).expect(200)).body.thread_messages;
    expect(fromOld.id_user_to).toBe(g.customer.id);
    const toOld = (await t.http.post('/thread_messages/text').set(t.auth(g.customer)).send({ id_threads: id, content: 'Baik Dok' }).expect(200)).body.thread_messages.id;
    const newDoctor = await t.user(['DOCTOR']);
    await t.http.put(`/threads/${id}/update`).set(t.auth(admin)).send({ id_user_to: newDoctor.id }).expect(200);
    const toNew = (await t.http.post('/thread_messages/text').set(t.auth(g.customer)).send({ id_threads: id, content: 'Dok, masih gatal' }).expect(200)).body.thread_messages.id;
    const seen = await explore(newDoctor, id);
    // the answer and the rows agree: only the message addressed to the new doctor is read
    expect(seen.body.data.map((m: { content: string; is_read: number }) => [m.content, m.is_read])).toEqual([
      ['Dok, masih gatal', 1],
      ['Baik Dok', 0],
      ['Silakan oleskan krim 2x sehari', 0],
    ]);
    expect([await readState(fromOld.id), await readState(toOld), await readState(toNew)]).toEqual([0, 0, 1]);
    // the customer, its addressee, reads the previous doctor's message
    await explore(g.customer, id);
    expect([await readState(fromOld.id), await readState(toOld)]).toEqual([1, 0]);
  });

  it('a request written before any doctor took the thread is read by the doctor who takes it', async () => {
    const customer = await t.user(['CUSTOMER']);
    const menu = await createMenu(t);
    await t.http.post('/menus/prescriptions/requests').set(t.auth(customer)).send({ id_menu: menu.id }).expect(200);
    const th = await t.app.db.thread.findFirstOrThrow({ where: { id_user_from: customer.id, thread_type: 'prescriptions' } });
    const request = await t.app.db.threadMessage.findFirstOrThrow({ where: { id_threads: th.id } });
    expect(request.id_user_to).toBeNull();
    // another doctor looking at the untaken request marks nothing
    await explore(otherDoctor, th.id);
    expect(await readState(request.id)).toBe(0);
    await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: th.id, content: 'Saya bantu' }).expect(200);
    await explore(f.doctor, th.id);
    expect(await readState(request.id)).toBe(1);
  });
});

describe('a closed consultation is a record', () => {
  it('its messages are no longer edited or deleted by the participants (409); admins may still delete', async () => {
    const order = await createConsultationOrder(t, f.customer, f.patient.id, f.doctorRow.id);
    await pay(t, order.id);
    const id = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: order.id } })).id;
    const sent = await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: id, content: 'gatal sejak kemarin' });
    const msg = sent.body.thread_messages.id as number;
    const answer = (await t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: id, content: 'oleskan krim 2x sehari' })).body.thread_messages.id as number;
    await t.http.put(`/threads/${id}/close`).set(t.auth(f.doctor)).expect(200);
    expect((await t.http.put(`/thread_messages/${msg}/update_text`).set(t.auth(f.customer)).send({ content: 'tidak ada keluhan' })).status).toBe(409);
    expect((await t.http.delete(`/thread_messages/${msg}/delete`).set(t.auth(f.customer))).status).toBe(409);
    expect((await t.http.put(`/thread_messages/${answer}/update_text`).set(t.auth(f.doctor)).send({ content: 'minum antibiotik' })).status).toBe(409);
    expect(await t.app.db.threadMessage.findMany({ where: { id: { in: [msg, answer] } }, orderBy: { id: 'asc' }, select: { content: true, deleted_at: true } })).toEqual([
      { content: 'gatal sejak kemarin', deleted_at: null },
      { content: 'oleskan krim 2x sehari', deleted_at: null },
    ]);
    // past its window, the same
    await t.http.put(`/threads/${id}/reopen`).set(t.auth(f.doctor)).expect(200);
    const later = new Date(Date.now() + 2 * 3600_000);
    t.app.now = () => later;
    try {
      expect((await t.http.put(`/thread_messages/${msg}/update_text`).set(t.auth(f.customer)).send({ content: 'tidak ada keluhan' })).status).toBe(409);
      expect((await t.http.delete(`/thread_messages/${answer}/delete`).set(t.auth(f.doctor))).status).toBe(409);
      expect((await t.http.delete(`/thread_messages/${msg}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    } finally {
      t.app.now = realNow;
    }
  });
});
