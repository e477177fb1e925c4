// npm run db:seed: applies pending migrations, then loads the demo data (idempotent).
import 'dotenv/config';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { createDatabase } from '../src/db/client.js';
import { applyPendingMigrations } from '../src/db/schema-engine.js';
import { seedDemoData } from '../src/seed/index.js';

const config = loadConfig();
const database = await createDatabase({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
try {
  await applyPendingMigrations(database.adapterFactory);
  await seedDemoData(createContext(config, database.prisma));
  console.log(`demo data loaded (${database.kind})`);
} finally {
  await database.close();
}
