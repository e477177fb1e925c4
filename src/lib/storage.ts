import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';

const SAFE_SEGMENT = /^[a-z0-9_-]+$/i;
const SAFE_NAME = /^[A-Za-z0-9]+\.[a-z0-9]+$/;

/**
 * Uploaded files. Public ones (catalogue pictures) are served statically under /uploads;
 * private ones (patients' and consultation files: health data) only through short-lived
 * signed links at /files/... . File names are random: the client's name is never used.
 */
export class FileStorage {
  constructor(
    private readonly opts: { publicDir: string; privateDir: string; baseUrl: string; secret: string; ttlSeconds: number },
  ) {}

  private dir(area: 'public' | 'private', resource: string) {
    if (!SAFE_SEGMENT.test(resource)) throw new Error(`bad resource folder ${resource}`);
    return path.resolve(area === 'public' ? this.opts.publicDir : this.opts.privateDir, resource);
  }

  async save(area: 'public' | 'private', resource: string, file: { buffer: Buffer; ext: string }): Promise<string> {
    const name = `${randomBytes(12).toString('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 16) || 'f'}${randomBytes(2).toString('hex')}.${file.ext}`;
    const dir = this.dir(area, resource);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, name), file.buffer, { flag: 'wx' });
    return name;
  }

  async remove(area: 'public' | 'private', resource: string, name: string) {
    if (!name || !SAFE_NAME.test(name)) return;
    await unlink(path.join(this.dir(area, resource), name)).catch(() => undefined);
  }

  publicUrl(resource: string, name: string | null | undefined): string {
    return name ? `${this.opts.baseUrl.replace(/\/$/, '')}/uploads/${resource}/${name}` : '';
  }

  private signature(resource: string, name: string, expires: number) {
    return createHmac('sha256', this.opts.secret).update(`files:${resource}/${name}:${expires}`).digest('base64url');
  }

  /** A link that works for a few minutes; empty when there is no file. */
  signedUrl(resource: string, name: string | null | undefined, nowMs = Date.now()): string {
    if (!name) return '';
    const expires = Math.floor(nowMs / 1000) + this.opts.ttlSeconds;
    const sig = this.signature(resource, name, expires);
    return `${this.opts.baseUrl.replace(/\/$/, '')}/files/${resource}/${name}?expires=${expires}&signature=${sig}`;
  }

  /** The absolute path of a private file when the signature is valid and fresh, else undefined. */
  verifySigned(resource: string, name: string, expires: string, signature: string, nowMs = Date.now()): string | undefined {
    if (!SAFE_SEGMENT.test(resource) || !SAFE_NAME.test(name)) return undefined;
    const exp = Number(expires);
    if (!Number.isInteger(exp) || exp * 1000 < nowMs) return undefined;
    const expected = Buffer.from(this.signature(resource, name, exp));
    const given = Buffer.from(String(signature));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return path.join(this.dir('private', resource), name);
  }
}
