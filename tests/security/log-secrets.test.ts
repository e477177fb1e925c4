import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestLog } from '../../src/http/request-log.js';

// A password recovery link's hash and a private file link's signature are credentials carried in
// the URL (the document's paths): the request log must not keep them, or whoever reads the logs
// can reset the password (a refused attempt leaves the hash usable) or fetch the health file.
describe('request log and secrets in URLs', () => {
  it('writes the URL without the recovery hash or the file signature', async () => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const server = express();
    server.use(requestLog(logger, server.request));
    server.use((_req, res) => void res.status(400).json({}));
    const http = request(server);

    const hash = 'Zx9SecretRecoveryHash_0123456789';
    const signature = 'c2lnbmF0dXJlLXNlY3JldC0xMjM0NTY3ODkw';
    await http.post(`/users/a%40example.com/forgot/${hash}/password/email`).send({ new_password: 'x' });
    await http.post(`/users/6281200001111/FORGOT/${hash}/password/wa?x=1`);
    await http.get(`/files/patients/abc.png?expires=1900000000&signature=${signature}&x=1`);
    await new Promise((r) => setImmediate(r));

    const urls = lines.filter((l) => l.msg === 'request completed').map((l) => l.req.url);
    expect(urls).toEqual([
      '/users/a%40example.com/forgot/[redacted]/password/email',
      '/users/6281200001111/FORGOT/[redacted]/password/wa?x=1',
      '/files/patients/abc.png?expires=1900000000&signature=[redacted]&x=1',
    ]);
    expect(JSON.stringify(lines)).not.toContain(hash);
    expect(JSON.stringify(lines)).not.toContain(signature);
  });
});
