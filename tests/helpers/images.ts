// Small real images with the metadata phones write (Exif with GPS, XMP, text chunks), for the
// upload tests. The clean images were made by cjpeg/cwebp from a 2×2 picture and decode as they are.
import { crc32 } from 'node:zlib';
import { PNG_1PX } from './app.js';

/** 2×2 baseline JPEG: SOI, APP0 JFIF, DQT, SOF0, DHT, SOS, data, EOI */
export const JPEG_2PX = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAACAAIDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDrNFtbd9EsGeCJma2jJJQEk7RRRRXnT+Jnk1Pjfqf/2Q==',
  'base64',
);
/** 2×2 lossless WebP (simple form: RIFF, VP8L) */
export const WEBP_2PX = Buffer.from('UklGRiwAAABXRUJQVlA4TB8AAAAvAUAAAB8gEEjeHzqN+RcQFPwf3fxHZA/gBgwR/Q8BAA==', 'base64');

/** what the tests look for in a stored file: none of it may be left */
export const SECRETS = ['PhoneMakerX', 'SecretModel 9', '2026:11:30 08:15:00', 'GPS-HOME', 'Jl. Rahasia 7'];

/**
 * A little-endian TIFF as a phone writes into Exif: Make, Model, Orientation, DateTime, a GPS IFD
 * (latitude 6°12'S, and a processing method naming the place).
 */
export function exifTiff(orientation?: number): Buffer {
  const entries: Array<[tag: number, type: number, count: number, value: Buffer | number]> = [
    [0x010f, 2, 12, Buffer.from('PhoneMakerX\0', 'latin1')],
    [0x0110, 2, 14, Buffer.from('SecretModel 9\0', 'latin1')],
    ...(orientation ? [[0x0112, 3, 1, orientation] as [number, number, number, number]] : []),
    [0x0132, 2, 20, Buffer.from('2026:11:30 08:15:00\0', 'latin1')],
    [0x8825, 4, 1, -1], // GPS IFD offset, filled in below
  ];
  const ifd0 = 8;
  const ifd0Size = 2 + entries.length * 12 + 4;
  let dataAt = ifd0 + ifd0Size;
  const extra: Buffer[] = [];
  const head = Buffer.alloc(ifd0 + ifd0Size);
  head.write('II', 0, 'latin1');
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifd0, 4);
  head.writeUInt16LE(entries.length, ifd0);
  let gpsEntry = 0;
  entries.forEach(([tag, type, count, value], k) => {
    const e = ifd0 + 2 + k * 12;
    head.writeUInt16LE(tag, e);
    head.writeUInt16LE(type, e + 2);
    head.writeUInt32LE(count, e + 4);
    if (Buffer.isBuffer(value)) {
      head.writeUInt32LE(dataAt, e + 8);
      extra.push(value);
      dataAt += value.length;
    } else if (value === -1) gpsEntry = e;
    else head.writeUInt16LE(value, e + 8);
  });
  // GPS IFD: GPSLatitudeRef "S", GPSLatitude 6/1 12/1 0/1, GPSProcessingMethod "ASCII\0\0\0GPS-HOME"
  const gpsAt = dataAt;
  head.writeUInt32LE(gpsAt, gpsEntry + 8);
  const gps = Buffer.alloc(2 + 3 * 12 + 4);
  const rationals = Buffer.alloc(24);
  [6, 1, 12, 1, 0, 1].forEach((v, i) => rationals.writeUInt32LE(v, i * 4));
  const method = Buffer.from('ASCII\0\0\0GPS-HOME', 'latin1');
  const gpsData = gpsAt + gps.length;
  gps.writeUInt16LE(3, 0);
  gps.writeUInt16LE(0x0001, 2);
  gps.writeUInt16LE(2, 4);
  gps.writeUInt32LE(2, 6);
  gps.write('S\0', 10, 'latin1');
  gps.writeUInt16LE(0x0002, 14);
  gps.writeUInt16LE(5, 16);
  gps.writeUInt32LE(3, 18);
  gps.writeUInt32LE(gpsData, 22);
  gps.writeUInt16LE(0x001b, 26);
  gps.writeUInt16LE(7, 28);
  gps.writeUInt32LE(method.length, 30);
  gps.writeUInt32LE(gpsData + rationals.length, 34);
  return Buffer.concat([head, ...extra, gps, rationals, method]);
}

const segment = (marker: number, body: Buffer) => {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(0xff00 | marker, 0);
  h.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([h, body]);
};
const XMP = Buffer.from('<x:xmpmeta><rdf:Description exif:GPSLatitude="6,12S" Iptc4xmpCore:Location="Jl. Rahasia 7"/></x:xmpmeta>', 'latin1');

/** JPEG_2PX as a camera writes it: Exif (before APP0), XMP, an IPTC segment, a comment, and bytes after EOI */
export function jpegWithMetadata(orientation?: number): Buffer {
  const rest = JPEG_2PX.subarray(2); // from APP0 on
  return Buffer.concat([
    JPEG_2PX.subarray(0, 2),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(orientation)])),
    rest.subarray(0, 18), // APP0 JFIF: marker, length 16
    segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), XMP])),
    segment(0xed, Buffer.from('Photoshop 3.0\0 8BIM Jl. Rahasia 7', 'latin1')),
    segment(0xfe, Buffer.from('taken at GPS-HOME', 'latin1')),
    rest.subarray(18),
    Buffer.from('trailing PhoneMakerX', 'latin1'),
  ]);
}

const chunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

/** PNG_1PX with eXIf, tEXt, iTXt (XMP), zTXt and tIME chunks, and bytes after IEND */
export function pngWithMetadata(): Buffer {
  const ihdrEnd = 8 + 25;
  return Buffer.concat([
    PNG_1PX.subarray(0, ihdrEnd),
    chunk('eXIf', exifTiff(6)),
    chunk('tEXt', Buffer.from('Author\0SecretModel 9', 'latin1')),
    chunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), XMP])),
    chunk('zTXt', Buffer.from('Comment\0\0x\x9c', 'latin1')),
    chunk('tIME', Buffer.from([0x07, 0xea, 11, 30, 8, 15, 0])),
    PNG_1PX.subarray(ihdrEnd),
    Buffer.from('GPS-HOME'),
  ]);
}

const riffChunk = (fourcc: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
};
const riff = (chunks: Buffer[]) => {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
};
const vp8x = (flags: number) => {
  const d = Buffer.alloc(10);
  d[0] = flags;
  d.writeUIntLE(1, 4, 3); // canvas 2×2 (stored minus one)
  d.writeUIntLE(1, 7, 3);
  return riffChunk('VP8X', d);
};
const vp8l = () => WEBP_2PX.subarray(12);

/** WEBP_2PX in the extended form with EXIF and XMP chunks (VP8X flags announcing them), and bytes after the RIFF */
export const webpWithMetadata = () =>
  Buffer.concat([riff([vp8x(0x08 | 0x04), vp8l(), riffChunk('EXIF', exifTiff(6)), riffChunk('XMP ', XMP)]), Buffer.from('GPS-HOME')]);
/** the same picture in the extended form, without metadata: what the stripped file must be */
export const webpExtendedClean = () => riff([vp8x(0), vp8l()]);

/**
 * 2×2 animation of two frames (red, then blue), looping forever, made by gifsicle: header, screen
 * descriptor, colour table, NETSCAPE2.0 loop, then per frame a Graphic Control and an image; trailer.
 */
export const GIF_2FRAMES = Buffer.from('R0lGODlhAgACAPAAAP8AAAAA/yH/C05FVFNDQVBFMi4wAwEAAAAh+QQACgD/ACwAAAAAAgACAAACAoRRACH5BAAKAP8ALAAAAAACAAIAAAICjFMAOw==', 'base64');
/** where GIF_2FRAMES's blocks start (after the header, screen descriptor and colour table) */
export const GIF_BLOCKS = 6 + 7 + 6;
/** where its second frame starts: after the loop (19 bytes), the first Graphic Control (8) and image (15) */
export const GIF_FRAME2 = GIF_BLOCKS + 19 + 8 + 15;

/** data sub-blocks: a length byte before each piece of at most 255 bytes, an empty one to close */
export const gifSubBlocks = (data: Buffer) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) parts.push(Buffer.from([Math.min(255, data.length - i)]), data.subarray(i, i + 255));
  return Buffer.concat([...parts, Buffer.from([0])]);
};
const gifComment = (text: string) => Buffer.concat([Buffer.from([0x21, 0xfe]), gifSubBlocks(Buffer.from(text, 'latin1'))]);
/** XMP as the XMP specification puts it into a GIF: the packet raw, then a 258-byte "magic trailer" that reads as sub-blocks */
const gifXmp = () => {
  const trailer = Buffer.alloc(258);
  trailer[0] = 0x01;
  for (let i = 1; i <= 256; i++) trailer[i] = 256 - i; // 0xFF down to 0x00, then the terminator
  return Buffer.concat([Buffer.from('\x21\xff\x0bXMP DataXMP', 'latin1'), XMP, trailer]);
};

/** GIF_2FRAMES with a comment and XMP before its frames, a comment between them, and bytes after the trailer */
export const gifWithMetadata = () =>
  Buffer.concat([
    GIF_2FRAMES.subarray(0, GIF_BLOCKS),
    gifComment('taken at GPS-HOME by PhoneMakerX'),
    gifXmp(),
    GIF_2FRAMES.subarray(GIF_BLOCKS, GIF_FRAME2),
    gifComment('SecretModel 9'),
    GIF_2FRAMES.subarray(GIF_FRAME2),
    Buffer.from('trailing Jl. Rahasia 7', 'latin1'),
  ]);

/** the bytes of a file contain none of SECRETS */
export const leaks = (file: Buffer) => SECRETS.filter((s) => file.includes(Buffer.from(s, 'latin1')));
