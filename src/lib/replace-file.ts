import type { AppContext } from '../app-context.js';
import type { Tx } from '../db/client.js';

/**
 * A new file for one row's picture column: stores `file`, then runs `point` in a transaction, which
 * must lock the row (SELECT … FOR UPDATE), set the column to the new name and return the name it
 * held. The replaced file is removed after the commit; a refused or failed change removes the new
 * file instead. So concurrent uploads for one row replace each other in turn (each removing the one
 * before), no file is left unreferenced, and none still referenced is removed. A staff change's
 * audit entry (RequestContext.auditChange) is written last in `point`: one that cannot be written
 * fails the change like any other error (the new file removed, the old one kept).
 */
export async function replaceStoredFile<T>(
  app: AppContext,
  area: 'public' | 'private',
  resource: string,
  file: { buffer: Buffer; ext: string },
  point: (tx: Tx, name: string) => Promise<{ old: string | null | undefined; result: T }>,
): Promise<{ name: string; result: T }> {
  const name = await app.storage.save(area, resource, file);
  let done: { old: string | null | undefined; result: T };
  try {
    done = await app.db.$transaction((tx) => point(tx, name));
  } catch (err) {
    await app.storage.remove(area, resource, name);
    throw err;
  }
  if (done.old && done.old !== name) await app.storage.remove(area, resource, done.old);
  return { name, result: done.result };
}
