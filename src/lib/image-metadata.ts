/**
 * Removes the metadata a camera or phone writes into a picture (Exif: GPS position, device, serial
 * numbers, times; XMP; IPTC; comments and text chunks) before it is stored, so that a photo sent to
 * a doctor, a patient's picture or an avatar does not tell where and when it was taken. The image
 * data itself is copied byte for byte (no decoding, no native library). Anything after the image's
 * end (EOI, IEND, the RIFF size, a GIF's trailer) goes too: it is no part of the picture.
 *
 * A JPEG's Exif orientation is kept (as a minimal Exif of that one tag): without it a phone photo
 * taken upright would show on its side.
 */
export class MalformedImageError extends Error {}

export function stripImageMetadata(mime: string, data: Buffer): Buffer {
  if (mime === 'image/jpeg') return stripJpeg(data);
  if (mime === 'image/png') return stripPng(data);
  if (mime === 'image/webp') return stripWebp(data);
  if (mime === 'image/gif') return stripGif(data);
  return data;
}

const bad = (what: string) => new MalformedImageError(what);

// ---- JPEG: a sequence of marker segments; the scans' entropy-coded data has no 0xFF but FF00 / RSTn

const ICC = Buffer.from('ICC_PROFILE\0', 'latin1');
const EXIF = Buffer.from('Exif\0\0', 'latin1');

/** APP0 (JFIF), APP2 holding an ICC colour profile and APP14 (Adobe colour transform) stay; every other APPn and COM goes. */
function keepJpegSegment(marker: number, body: Buffer): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // not an APPn: tables, frames, scans
  if (marker === 0xe0 || marker === 0xee) return true;
  if (marker === 0xe2) return body.subarray(0, ICC.length).equals(ICC);
  return false; // APP1 Exif/XMP, APP13 IPTC/Photoshop, MPF, vendors' segments
}

function stripJpeg(data: Buffer): Buffer {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw bad('not a JPEG');
  const out: Buffer[] = [data.subarray(0, 2)];
  let orientation = 0;
  let afterApp0 = 1; // where the kept orientation goes: after SOI, or after a leading APP0
  let pos = 2;
  for (;;) {
    if (pos >= data.length) break; // no EOI: a truncated file, kept as far as it goes
    if (data[pos] !== 0xff) throw bad('JPEG: marker expected');
    while (data[pos] === 0xff) pos++; // fill bytes
    if (pos >= data.length) break;
    const marker = data[pos++]!;
    if (marker === 0xd9) {
      out.push(Buffer.from([0xff, 0xd9]));
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out.push(Buffer.from([0xff, marker]));
      continue;
    }
    if (pos + 2 > data.length) throw bad('JPEG: truncated segment');
    const length = data.readUInt16BE(pos);
    const end = pos + length;
    if (length < 2 || end > data.length) throw bad('JPEG: segment length out of bounds');
    const body = data.subarray(pos + 2, end);
    if (marker === 0xe1 && !orientation && body.subarray(0, EXIF.length).equals(EXIF)) orientation = exifOrientation(body.subarray(EXIF.length));
    if (keepJpegSegment(marker, body)) {
      out.push(Buffer.from([0xff, marker]), data.subarray(pos, end));
      if (marker === 0xe0 && out.length === 3) afterApp0 = 3;
    }
    pos = end;
    if (marker === 0xda) {
      // entropy-coded data up to the next marker that is not a stuffed byte or a restart marker
      let i = pos;
      while (i < data.length) {
        if (data[i] === 0xff && i + 1 < data.length) {
          const next = data[i + 1]!;
          if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
            i += 2;
            continue;
          }
          if (next !== 0xff) break;
        }
        i++;
      }
      out.push(data.subarray(pos, i));
      pos = i;
    }
  }
  if (orientation >= 2 && orientation <= 8) out.splice(afterApp0, 0, orientationApp1(orientation));
  return Buffer.concat(out);
}

/** Exif IFD0's Orientation (tag 0x0112), 0 when absent or unreadable. */
function exifOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 0;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 0;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(2) !== 42) return 0;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 0;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > tiff.length) return 0;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) return u16(e + 8);
  }
  return 0;
}

/** an APP1 Exif segment holding only IFD0 with the Orientation tag (big-endian TIFF) */
function orientationApp1(orientation: number): Buffer {
  const b = Buffer.alloc(2 + 2 + 6 + 8 + 2 + 12 + 4);
  b.writeUInt16BE(0xffe1, 0);
  b.writeUInt16BE(b.length - 2, 2);
  EXIF.copy(b, 4);
  b.write('MM', 10, 'latin1');
  b.writeUInt16BE(42, 12);
  b.writeUInt32BE(8, 14); // IFD0 right after the header
  b.writeUInt16BE(1, 18); // one entry
  b.writeUInt16BE(0x0112, 20);
  b.writeUInt16BE(3, 22); // SHORT
  b.writeUInt32BE(1, 24);
  b.writeUInt16BE(orientation, 28);
  b.writeUInt32BE(0, 32); // no next IFD
  return b;
}

// ---- PNG: signature, then chunks (length, type, data, CRC) up to IEND

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Exif, the three text chunks (XMP is an iTXt; cameras and editors write author, place, software) and the time */
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt', 'tIME']);

function stripPng(data: Buffer): Buffer {
  if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) throw bad('not a PNG');
  const out: Buffer[] = [PNG_SIGNATURE];
  let pos = 8;
  for (;;) {
    if (pos + 12 > data.length) throw bad('PNG: no IEND chunk');
    const length = data.readUInt32BE(pos);
    const type = data.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length;
    if (end > data.length) throw bad('PNG: chunk length out of bounds');
    if (!PNG_DROPPED.has(type)) out.push(data.subarray(pos, end));
    pos = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(out);
}

// ---- WebP: RIFF container; the EXIF and XMP chunks go and VP8X's flags stop announcing them

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(data: Buffer): Buffer {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WEBP') throw bad('not a WebP');
  const riffEnd = 8 + data.readUInt32LE(4);
  if (riffEnd > data.length || riffEnd < 12) throw bad('WebP: RIFF size out of bounds');
  const out: Buffer[] = [];
  let pos = 12;
  while (pos < riffEnd) {
    if (pos + 8 > riffEnd) throw bad('WebP: truncated chunk');
    const fourcc = data.toString('latin1', pos, pos + 4);
    const size = data.readUInt32LE(pos + 4);
    const end = pos + 8 + size + (size & 1);
    if (end > riffEnd) throw bad('WebP: chunk size out of bounds');
    if (fourcc === 'VP8X' && size >= 1) {
      const chunk = Buffer.from(data.subarray(pos, end)); // a copy: the flags change
      chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
      out.push(chunk);
    } else if (fourcc !== 'EXIF' && fourcc !== 'XMP ') out.push(data.subarray(pos, end));
    pos = end;
  }
  const header = Buffer.from(data.subarray(0, 12));
  header.writeUInt32LE(4 + out.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([header, ...out]);
}

// ---- GIF: header, screen descriptor and colour table, then extensions and images up to the trailer

/** the application extensions that make an animation loop (NETSCAPE2.0, and the older ANIMEXTS1.0) */
const GIF_LOOPING = ['NETSCAPE2.0', 'ANIMEXTS1.0'].map((id) => Buffer.from(`\x0b${id}`, 'latin1'));

/** Graphic Control (frame timing, transparency), Plain Text (text drawn in the picture) and the loop stay; comments, XMP, other application extensions and unknown labels go. */
function keepGifExtension(label: number, body: Buffer): boolean {
  if (label === 0xf9 || label === 0x01) return true;
  return label === 0xff && GIF_LOOPING.some((id) => body.subarray(0, id.length).equals(id));
}

/** a colour table's size from a packed byte: its flag (0x80) and 3 × 2^(n+1) bytes */
const gifColourTable = (packed: number) => (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0);

/** where a chain of data sub-blocks (a length byte, then that many bytes) ends: after its empty one */
function gifSubBlocksEnd(data: Buffer, pos: number): number {
  for (;;) {
    const length = data[pos];
    if (length === undefined) throw bad('GIF: data sub-blocks run past the end');
    pos += 1 + length;
    if (length === 0) return pos;
  }
}

function stripGif(data: Buffer): Buffer {
  const signature = data.toString('latin1', 0, 6);
  if (data.length < 13 || (signature !== 'GIF87a' && signature !== 'GIF89a')) throw bad('not a GIF');
  let pos = 13 + gifColourTable(data[10]!);
  const out: Buffer[] = [data.subarray(0, pos)];
  for (;;) {
    const start = pos;
    const introducer = data[pos];
    if (introducer === 0x3b) {
      out.push(data.subarray(pos, pos + 1));
      break;
    }
    if (introducer === 0x2c) {
      // image descriptor (10 bytes), local colour table, LZW minimum code size, image data
      if (pos + 10 > data.length) throw bad('GIF: truncated image descriptor');
      pos = gifSubBlocksEnd(data, pos + 10 + gifColourTable(data[pos + 9]!) + 1);
      out.push(data.subarray(start, pos));
    } else if (introducer === 0x21) {
      pos = gifSubBlocksEnd(data, pos + 2);
      if (keepGifExtension(data[start + 1]!, data.subarray(start + 2, pos))) out.push(data.subarray(start, pos));
    } else throw bad(introducer === undefined ? 'GIF: no trailer' : 'GIF: unknown block');
  }
  return Buffer.concat(out);
}
