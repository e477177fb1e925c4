// The baseline: plain node:http + pg answering each scenario's query (POST /<scenario index>),
// run in its own process like the app. Usage: tsx bench/baseline.ts <port>
import http from 'node:http';
import pg from 'pg';
import { scenarios } from './scenarios.js';
import { checkoutBaseline } from './checkout.js';
import { sizes } from './seed.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/colederma_bench';
const s = sizes(Number(process.env.BENCH_SCALE ?? 1));
// The same pool size as the app (DB_POOL_MAX, default 10).
// The same session settings as the app (jit off, src/db/client.ts), so the two differ only by what runs in Node.
const onConnect = async (client: pg.ClientBase) => void (await client.query('SET jit = off'));
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DB_POOL_MAX ?? 10), onConnect });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      if (req.url === '/health') return void res.writeHead(200).end('ok');
      const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
      const result = name === 'checkout' ? await checkoutBaseline(pool, s, body) : await scenarios[Number(name)]!.baseline(pool, s, body);
      const text = JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(text);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: String(e) }));
    }
  });
});
server.listen(Number(process.argv[2] ?? 3901), '127.0.0.1', () => console.log('baseline ready'));
