import type { z } from 'zod';
import type { Caller } from '../../http/resource.js';

/**
 * Other modules add their parts of a user's profile here (points, patients, orders,
 * notifications...): `users/data` shows the signed-in user's, `users/:id` some of them.
 * Each loader runs one or a few queries for one user: no per-row work.
 */
export interface UserSection {
  /** where the section appears */
  in: ReadonlyArray<'data' | 'detail'>;
  /**
   * The keys `load` adds and what each holds (documents users/data in openapi.json; the suite
   * validates the answers against it). A key `load` adds only sometimes is `.optional()`.
   */
  schema: z.ZodRawShape;
  load: (userId: number, caller: Caller, roles: string[]) => Promise<Record<string, unknown>>;
}

const sections: UserSection[] = [];

export function addUserSection(section: UserSection) {
  sections.push(section);
}

export async function loadUserSections(where: 'data' | 'detail', userId: number, caller: Caller, roles: string[]) {
  const parts = await Promise.all(sections.filter((s) => s.in.includes(where)).map((s) => s.load(userId, caller, roles)));
  return Object.assign({}, ...parts) as Record<string, unknown>;
}

/** Every section's keys for one place (read when openapi.json is built, after all modules loaded). */
export function userSectionsShape(where: 'data' | 'detail'): z.ZodRawShape {
  return Object.assign({}, ...sections.filter((s) => s.in.includes(where)).map((s) => s.schema));
}
