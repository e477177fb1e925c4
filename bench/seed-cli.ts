import { prepareDatabase, seed, sizes } from './seed.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/colederma_bench';
const s = sizes(Number(process.env.BENCH_SCALE ?? 1));
await prepareDatabase(url);
const t0 = Date.now();
const seeded = await seed(url, s);
console.log(seeded ? `seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'already seeded at this scale');
