export const ROLES = ['OWNER', 'ADMIN', 'DOCTOR', 'CUSTOMER'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF: Role[] = ['OWNER', 'ADMIN'];
/** The stored role codes this API knows (an unknown code grants nothing). */
export const knownRoles = (codes: readonly string[]) => codes.filter((r): r is Role => (ROLES as readonly string[]).includes(r));

/** The signed-in user as every handler sees it. */
export interface AuthUser {
  id: number;
  username: string;
  roles: Role[];
  /** the session's token version (its token's `tv`): an act that must not outlive the session checks it under the account's row lock */
  token_version?: number;
}

export const hasRole = (user: AuthUser | undefined, ...roles: Role[]) =>
  !!user && user.roles.some((r) => roles.includes(r));
export const isStaff = (user: AuthUser | undefined) => hasRole(user, ...STAFF);
export const isDoctor = (user: AuthUser | undefined) => hasRole(user, 'DOCTOR');
