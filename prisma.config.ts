// Prisma 7 CLI configuration (read by `prisma generate`, see scripts/prisma-generate.mjs).
// Migrations are not run by the Prisma CLI here (it cannot download its native schema engine):
// `npm run db:migrate` / `npm run db:migration` use the WASM schema engine (src/db/schema-engine.ts)
// with the same folders.
import 'dotenv/config';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  // Optional: `prisma generate` does not need a URL, and without DATABASE_URL the app uses PGlite.
  datasource: { url: process.env.DATABASE_URL },
});
