import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // One child process per worker; every test file gets its own database (tests/helpers/database.ts).
    pool: 'forks',
    // tests/helpers/setup.ts: checks every test file (statements queued on a busy connection)
    setupFiles: ['tests/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // No --experimental-wasm-modules needed: src/db/schema-engine.ts instantiates the schema
    // engine's .wasm itself instead of importing it as an ES module.
  },
});
