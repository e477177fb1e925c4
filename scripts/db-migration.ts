// npm run db:migration -- <name> — writes prisma/migrations/<yyyymmddHHMMSS>_<name>/migration.sql with
// the SQL that brings the migration history up to the *.prisma files (what `prisma migrate dev
// --create-only` does). The history is replayed on a throw-away in-memory PGlite, so no server is
// needed. Prints "no changes" and writes nothing when history and schema already agree.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import {
  defaultPaths,
  diffMigrationsAgainstSchema,
  MIGRATION_LOCK_CONTENT,
  MIGRATION_LOCK_FILE,
} from '../src/db/schema-engine.js';
import { createPGlite } from '../src/db/pglite.js';

const rawName = process.argv.slice(2).join('_');
const name = rawName.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
if (!name) {
  console.error('usage: npm run db:migration -- <name>   (e.g. npm run db:migration -- add_orders)');
  process.exit(2);
}

const pglite = await createPGlite();
let sql: string;
try {
  sql = await diffMigrationsAgainstSchema(new PrismaPGlite(pglite));
} finally {
  await pglite.close();
}
if (sql === '') {
  console.log('no changes');
  process.exit(0);
}

const timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14); // UTC, as Prisma does
const dir = path.join(defaultPaths.migrationsDir, `${timestamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'migration.sql'), sql, { flag: 'wx' });
await writeFile(path.join(defaultPaths.migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT, {
  flag: 'wx',
}).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EEXIST') throw error;
});
console.log(`created ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}`);
