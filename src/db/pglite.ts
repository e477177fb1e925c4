// Every PGlite instance of the project (app, migrations, shadow database, tests) is made here, so
// that each one loads the contrib extensions the migrations need: pg_trgm (trigram GIN indexes for
// the substring searches, see prisma/migrations/*_trigram_search). PGlite builds its extensions in
// but only makes them available to CREATE EXTENSION when they are passed at creation.
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

const PGLITE_EXTENSIONS = { pg_trgm };

/** PGlite.create with the project's extensions; `dataDir` undefined = in memory. */
export function createPGlite(dataDir?: string, options: PGliteOptions = {}): Promise<PGlite> {
  return PGlite.create({ ...options, ...(dataDir ? { dataDir } : {}), extensions: { ...PGLITE_EXTENSIONS, ...options.extensions } });
}
