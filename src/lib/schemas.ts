import { z } from 'zod';
import { parseDate, parseDateTime, parseTime } from './dates.js';

/** Building blocks for request schemas, shared by every resource. */

const MAX_INT = 2_147_483_647;

/** what an emptied form field sends */
export const isEmpty = (v: unknown) => v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Numeric text as people write it: decimal digits, a sign, a decimal point. Number() alone also
 * reads hex, binary and exponents ("0x10" is 16, "1e3" is 1000), so an id or a price sent that way
 * named a different row or amount than the text shows.
 */
export const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;

/**
 * A number sent as a JSON number or a numeric string ("15000", "380": the document and form posts
 * send both), narrowed by `refine` (`(n) => n.int().min(0)`). Unlike z.coerce.number(), which reads
 * `""` and null as 0 (an emptied price field made a product free), an empty value is not a number
 * (400 naming the field), on create and update alike, and so is text that is not decimal (`"0x10"`). A field whose column is nullable and that can be
 * emptied maps `""`/null to its "none" before this (optionalRef). Empty filters never get here
 * (resource.ts drops them).
 */
export const number = (refine: (n: z.ZodNumber) => z.ZodNumber = (n) => n) =>
  z.preprocess(
    (v) => (typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v),
    refine(z.number({ error: (issue) => (issue.input === undefined ? 'required' : isEmpty(issue.input) ? 'expected a number, not empty' : undefined) })),
  );

export const id = number((n) => n.int().positive().max(MAX_INT));
/** a reference that the document allows to be 0 for "none"; `""` and null are "none" too (every such column is nullable) */
export const optionalRef = z.preprocess((v) => (isEmpty(v) ? 0 : v), number((n) => n.int().min(0).max(MAX_INT)));
/** an optionalRef filter as a Prisma condition: absent = any, 0 = none (null), else that id */
export const refFilter = (v: number | undefined) => (v === undefined ? undefined : v === 0 ? null : v);
export const flag = z.preprocess((v) => (v === true ? 1 : v === false ? 0 : v), number((n) => n.int().min(0).max(1)));
/** whole rupiah; the money columns are 32-bit integers */
export const moneyUpTo = (max: number) => number((n) => n.int('must be whole rupiah').min(0).max(max));
export const money = moneyUpTo(MAX_INT);
export const count = number((n) => n.int().min(0).max(1_000_000));
export const text = (max = 255) => z.string().trim().max(max);
export const requiredText = (max = 255) => z.string().trim().min(1, 'required').max(max);
/** long free text such as descriptions (HTML from the dashboard editor is stored as given, never rendered here) */
export const longText = z.string().max(20_000);

export const date = z
  .string()
  .transform((s, ctx) => {
    const d = parseDate(s);
    if (!d) ctx.addIssue({ code: 'custom', message: 'expected a date as dd/mm/yyyy or yyyy-mm-dd' });
    return d as Date;
  })
  .meta({ description: 'dd/mm/yyyy or yyyy-mm-dd' });

export const dateTime = z
  .string()
  .transform((s, ctx) => {
    const d = parseDateTime(s);
    if (!d) ctx.addIssue({ code: 'custom', message: 'expected a date-time as dd/mm/yyyy HH:mm (Asia/Jakarta)' });
    return d as Date;
  })
  .meta({ description: 'dd/mm/yyyy HH:mm or yyyy-mm-dd HH:mm:ss, Asia/Jakarta' });

export const time = z
  .string()
  .transform((s, ctx) => {
    const d = parseTime(s);
    if (!d) ctx.addIssue({ code: 'custom', message: 'expected a time as HH:mm' });
    return d as Date;
  })
  .meta({ description: 'HH:mm or HH:mm:ss' });

/** one id or a list of ids */
export const idList = z.preprocess((v) => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? undefined : [v]), z.array(id).max(500));

/** a whole number from min to max, as decimal text or a JSON number (query strings, limits, table paging) */
export const wholeNumber = (min: number, max: number) => number((n) => n.int().min(min).max(max));

export const paging = z.object({
  page: wholeNumber(1, 1_000_000).default(1),
  /** capped at 100 (docs/compat.md): a larger length answers 100 rows, not an error */
  length: wholeNumber(1, 1_000_000).default(10).transform((n) => Math.min(n, 100)),
});

/**
 * A new password: 8 to 72 characters and at most 72 bytes in UTF-8, since bcrypt reads only the
 * first 72 bytes: a longer one (long passphrases outside ASCII) would be cut without a word, and
 * any password sharing its first 72 bytes would sign in.
 */
export const newPassword = z
  .string()
  .min(8, 'at least 8 characters')
  .max(72, 'at most 72 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'at most 72 bytes (characters outside ASCII take 2 to 4)');
