import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';

/**
 * A local server speaking RajaOngkir API V2 (Komerce): header `key`, envelope {meta, data},
 * destination lists and form-encoded district-to-district costs. `mode` makes it answer 429 or fail;
 * `data[path]` makes it answer that `data` (in a success envelope) for the path instead;
 * `envelopes[path]` that whole body with HTTP 200 (V2 may put its error in the envelope only).
 */
export async function startFakeRajaOngkir(key = 'test-key') {
  const state = {
    mode: 'ok' as 'ok' | 'rate-limited' | 'error' | 'drop',
    calls: [] as { method: string; path: string; key?: string; contentType?: string; form?: Record<string, string> }[],
    data: {} as Record<string, unknown>,
    envelopes: {} as Record<string, unknown>,
  };
  const ok = (data: unknown) => ({ meta: { message: 'Success Get Data', code: 200, status: 'success' }, data });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res, next) => {
    state.calls.push({ method: req.method, path: req.path, key: req.header('key'), contentType: req.header('content-type'), form: req.body });
    if (state.mode === 'drop') return void req.socket.destroy();
    if (state.mode === 'rate-limited') return void res.status(429).json({ meta: { message: 'Too Many Requests', code: 429, status: 'error' }, data: null });
    if (state.mode === 'error') return void res.status(500).json({ meta: { message: 'Internal Server Error', code: 500, status: 'error' }, data: null });
    if (req.header('key') !== key) return void res.status(401).json({ meta: { message: 'Invalid Api key', code: 401, status: 'error' }, data: null });
    if (req.path in state.envelopes) return void res.json(state.envelopes[req.path]);
    if (req.path in state.data) return void res.json(ok(state.data[req.path]));
    next();
  });
  app.get('/destination/province', (_req, res) => {
    res.json(ok([{ id: 1, name: 'BALI' }, { id: 9, name: 'JAWA BARAT' }]));
  });
  app.get('/destination/city/:id', (req, res) => {
    if (req.params.id !== '9') return void res.status(404).json({ meta: { message: 'Data not found', code: 404, status: 'error' }, data: null });
    res.json(ok([{ id: 23, name: 'KOTA BANDUNG', zip_code: '40111' }, { id: 22, name: 'KABUPATEN BANDUNG', zip_code: '40311' }]));
  });
  app.get('/destination/district/:id', (req, res) => {
    if (req.params.id !== '23') return void res.status(404).json({ meta: { message: 'Data not found', code: 404, status: 'error' }, data: null });
    res.json(ok([{ id: 330, name: 'COBLONG', zip_code: '40132' }, { id: 331, name: 'SUKAJADI', zip_code: '40162' }]));
  });
  app.post('/calculate/district/domestic-cost', (req, res) => {
    const { origin, destination, weight, courier } = req.body as Record<string, string>;
    if (!origin || !destination || !(Number(weight) >= 1) || !courier) {
      return void res.status(400).json({ meta: { message: 'origin, destination, courier and a weight of at least 1 gram are required', code: 400, status: 'error' }, data: null });
    }
    const kg = Math.max(1, Math.ceil(Number(weight) / 1000));
    const names: Record<string, string> = { jne: 'Jalur Nugraha Ekakurir (JNE)', pos: 'POS Indonesia (POS)' };
    const data = courier.split(':').flatMap((code) => [
      { name: names[code] ?? code, code, service: 'REG', description: 'Layanan Reguler', cost: 11000 * kg, etd: '2 day' },
      { name: names[code] ?? code, code, service: 'YES', description: 'Yakin Esok Sampai', cost: 20000 * kg, etd: '1 day' },
    ]);
    res.json(ok(data));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    callsTo: (path: string) => state.calls.filter((c) => c.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
