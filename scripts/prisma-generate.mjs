// Runs `prisma generate` offline (npm run db:generate; also the pre* hooks of start/dev/test/build).
// The Prisma CLI wants a native schema-engine binary, which it cannot download on offline machines;
// `generate` does not use it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file is enough
// (see /work/shared/DESIGN.md). An already-set PRISMA_SCHEMA_ENGINE_BINARY is kept.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const cli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1', // no telemetry / update check (offline)
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath; // any existing file will do
}

const args = [cli, 'generate', '--no-hints', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
