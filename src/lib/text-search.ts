/**
 * Substring search on text columns. A user's `%` and `_` are literal characters, not LIKE
 * wildcards (a search for "Sari_Dewi" must not match "Sari Dewi", nor "_" every row): Prisma's
 * `contains` sends its value inside `%…%` as it is, so the value's own wildcards and the escape
 * character are escaped first (PostgreSQL's LIKE escapes with a backslash by default).
 */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `%<s>%` with `s` literal: for ILIKE in plain SQL. */
export const likePattern = (s: string) => `%${escapeLike(s)}%`;

/** Prisma's case-insensitive `contains` with `s` literal. */
export const containsText = (s: string) => ({ contains: escapeLike(s), mode: 'insensitive' as const });

/** Prisma's case-insensitive `equals` with `s` literal: Prisma sends it as `ILIKE <s>`, wildcards and all. */
export const equalsText = (s: string) => ({ equals: escapeLike(s), mode: 'insensitive' as const });
