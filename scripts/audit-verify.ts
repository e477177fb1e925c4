// npm run audit:verify: walks the hash-chained audit log; exits 1 when a row was altered, deleted or inserted.
import 'dotenv/config';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/client.js';
import { verifyAuditChain } from '../src/modules/audit/audit.service.js';

const config = loadConfig();
const database = await createDatabase({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
try {
  const result = await verifyAuditChain(database.prisma);
  if (result.ok) console.log(`audit log intact: ${result.rows} rows`);
  else {
    console.error(`audit log BROKEN at seq ${result.seq}: ${result.reason}`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
