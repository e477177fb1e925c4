import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripImageMetadata } from '../../src/lib/image-metadata.js';
import { createTestApp, PNG_1PX, type TestApp } from '../helpers/app.js';
import {
  GIF_2FRAMES,
  GIF_FRAME2,
  JPEG_2PX,
  WEBP_2PX,
  gifSubBlocks,
  gifWithMetadata,
  jpegWithMetadata,
  leaks,
  pngWithMetadata,
  webpExtendedClean,
  webpWithMetadata,
} from '../helpers/images.js';
import { consultationFixture, pay } from '../consultations/fixtures.js';

// A phone photo carries where and when it was taken (Exif GPS, device, times; XMP; text chunks).
// A customer's skin photo sent to a doctor, a patient's picture and a public avatar must not.

describe('stripImageMetadata', () => {
  it('takes Exif, XMP, IPTC, comments and trailing bytes out of a JPEG and keeps its image data as it was', () => {
    const out = stripImageMetadata('image/jpeg', jpegWithMetadata());
    expect(leaks(out)).toEqual([]);
    expect(out.equals(JPEG_2PX)).toBe(true);
  });

  it("keeps a JPEG's orientation, alone, so that an upright photo does not show on its side", () => {
    const out = stripImageMetadata('image/jpeg', jpegWithMetadata(6));
    expect(leaks(out)).toEqual([]);
    const app0End = 2 + 18;
    // SOI, APP0, then an APP1 Exif of one IFD0 entry: Orientation (0x0112, SHORT) = 6
    expect(out.subarray(0, app0End).equals(JPEG_2PX.subarray(0, app0End))).toBe(true);
    expect(out.subarray(app0End, app0End + 10).toString('latin1')).toBe('\xff\xe1\x00\x22Exif\0\0');
    expect(out.subarray(app0End + 10, app0End + 36).toString('hex')).toBe('4d4d002a00000008000101120003000000010006000000000000');
    expect(out.subarray(app0End + 36).equals(JPEG_2PX.subarray(app0End))).toBe(true);
  });

  it('takes eXIf, text and time chunks and trailing bytes out of a PNG', () => {
    const out = stripImageMetadata('image/png', pngWithMetadata());
    expect(leaks(out)).toEqual([]);
    expect(out.equals(PNG_1PX)).toBe(true);
  });

  it("takes EXIF and XMP chunks out of a WebP and clears VP8X's flags for them", () => {
    const out = stripImageMetadata('image/webp', webpWithMetadata());
    expect(leaks(out)).toEqual([]);
    expect(out.equals(webpExtendedClean())).toBe(true);
  });

  it("takes comments, XMP and trailing bytes out of a GIF and keeps its frames, their timing and the loop", () => {
    const out = stripImageMetadata('image/gif', gifWithMetadata());
    expect(leaks(out)).toEqual([]);
    expect(out.includes('XMP DataXMP')).toBe(false);
    expect(out.equals(GIF_2FRAMES)).toBe(true);
  });

  it("keeps a GIF's Plain Text extension (text drawn in the picture) and the older ANIMEXTS1.0 loop", () => {
    const plainText = Buffer.concat([Buffer.from([0x21, 0x01, 12]), Buffer.alloc(12), gifSubBlocks(Buffer.from('Hi'))]);
    const loop = Buffer.concat([Buffer.from('\x21\xff\x0bANIMEXTS1.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0])]);
    const gif = Buffer.concat([GIF_2FRAMES.subarray(0, 19), loop, GIF_2FRAMES.subarray(19, GIF_FRAME2), plainText, GIF_2FRAMES.subarray(GIF_FRAME2)]);
    expect(stripImageMetadata('image/gif', gif).equals(gif)).toBe(true);
  });

  it('refuses a GIF whose blocks cannot be walked', () => {
    expect(() => stripImageMetadata('image/gif', gifWithMetadata().subarray(0, 100))).toThrow(/sub-blocks run past the end/); // inside the XMP
    expect(() => stripImageMetadata('image/gif', GIF_2FRAMES.subarray(0, -1))).toThrow(/no trailer/);
    const unknown = Buffer.from(GIF_2FRAMES);
    unknown[GIF_FRAME2] = 0x00;
    expect(() => stripImageMetadata('image/gif', unknown)).toThrow(/unknown block/);
  });

  it('leaves a file without metadata as it is', () => {
    expect(stripImageMetadata('image/jpeg', JPEG_2PX).equals(JPEG_2PX)).toBe(true);
    expect(stripImageMetadata('image/png', PNG_1PX).equals(PNG_1PX)).toBe(true);
    expect(stripImageMetadata('image/webp', WEBP_2PX).equals(WEBP_2PX)).toBe(true);
    expect(stripImageMetadata('image/gif', GIF_2FRAMES).equals(GIF_2FRAMES)).toBe(true);
  });
});

describe('uploaded photos are stored and served without their metadata', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const fetchBytes = async (link: string, auth?: Record<string, string>) => {
    const url = new URL(link);
    const req = t.http.get(url.pathname + url.search);
    const res = await (auth ? req.set(auth) : req).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    });
    expect(res.status).toBe(200);
    return res.body as Buffer;
  };

  it("a customer's chat photo reaches the doctor without the place, device and time it was taken", async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } });
    const sent = await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(thread.id)).attach('image', jpegWithMetadata(), 'kulit.jpg');
    expect(sent.status).toBe(200);
    const seen = await t.http.get(`/thread_messages/${sent.body.thread_messages.id}`).set(t.auth(f.doctor));
    const file = await fetchBytes(seen.body.thread_messages.url);
    expect(leaks(file)).toEqual([]);
    expect(file.equals(JPEG_2PX)).toBe(true);
    expect(seen.body.thread_messages.file_size).toBe(file.length);
  });

  it("a patient's picture (PNG) and an avatar (WebP, public) are stored without theirs", async () => {
    const customer = await t.user(['CUSTOMER']);
    const p = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Pic' } });
    const up = await t.http.post('/patients/picture/upload').set(t.auth(customer)).field('id_patients', String(p.id)).attach('picture', pngWithMetadata(), 'face.png');
    expect(up.status).toBe(200);
    expect((await fetchBytes(up.body.patient_picture_url)).equals(PNG_1PX)).toBe(true);

    const avatar = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', webpWithMetadata(), 'me.webp');
    expect(avatar.status).toBe(200);
    expect((await fetchBytes(avatar.body.img_path)).equals(webpExtendedClean())).toBe(true);
  });

  it('a GIF sent in a chat is stored without its comments, XMP and trailing bytes, still looping', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } });
    const sent = await t.http.post('/thread_messages/image').set(t.auth(f.customer)).field('id_threads', String(thread.id)).attach('image', gifWithMetadata(), 'anim.gif');
    expect(sent.status).toBe(200);
    const file = await fetchBytes(sent.body.thread_messages.url);
    expect(leaks(file)).toEqual([]);
    expect(file.equals(GIF_2FRAMES)).toBe(true);
    expect(sent.body.thread_messages.file_size).toBe(file.length);
  });

  it('refuses a GIF whose blocks run past the end (415) and keeps no file', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } });
    const stored = () => (existsSync(t.app.config.UPLOAD_DIR) ? readdirSync(t.app.config.UPLOAD_DIR, { recursive: true }).map(String).sort() : []);
    const before = stored();
    const cut = gifWithMetadata().subarray(0, 100); // inside the XMP's sub-blocks
    const res = await t.http.post('/thread_messages/attachments').set(t.auth(f.customer)).field('id_threads', String(thread.id)).attach('attachments', cut, 'a.gif');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 415, errors: [{ field: 'attachments' }] });
    expect(stored()).toEqual(before);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: thread.id, content_type: 'attachments' } })).toBe(0);
  });

  it('refuses an image whose structure cannot be read (415) and keeps no file', async () => {
    const customer = await t.user(['CUSTOMER']);
    const stored = () => (existsSync(t.app.config.UPLOAD_DIR) ? readdirSync(t.app.config.UPLOAD_DIR, { recursive: true }).map(String).sort() : []);
    const before = stored();
    const cut = pngWithMetadata().subarray(0, 60); // a chunk running past the end
    const res = await t.http.post('/users/picture/upload').set(t.auth(customer)).attach('picture', cut, 'a.png');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 415, errors: [{ field: 'picture' }] });
    expect(stored()).toEqual(before);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_picture).toBe('');
  });

  it('refuses a JPEG whose segment runs past the end of the file', () => {
    const bad = Buffer.concat([JPEG_2PX.subarray(0, 4), Buffer.from([0xff, 0xff])]);
    expect(() => stripImageMetadata('image/jpeg', bad)).toThrow(/out of bounds/);
  });
});
