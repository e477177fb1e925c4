// npm run db:migrate — applies the pending migrations of prisma/migrations to DATABASE_URL, or to the
// embedded PGlite database under DATA_DIR/pglite (default ./data/pglite) when DATABASE_URL is unset.
import 'dotenv/config';
import path from 'node:path';
import { createDatabase } from '../src/db/client.js';
import { applyPendingMigrations } from '../src/db/schema-engine.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = path.join(process.env.DATA_DIR || './data', 'pglite');
const db = await createDatabase({ databaseUrl, dataDir, poolMax: 2 });
try {
  const applied = await applyPendingMigrations(db.adapterFactory);
  const target = db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite (${dataDir})`;
  if (applied.length === 0) console.log(`${target}: no pending migrations`);
  else console.log(`${target}: applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}`);
} finally {
  await db.close();
}
