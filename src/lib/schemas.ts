import { z } from 'zod';
import { parseDate, parseDateTime, parseTime } from './dates.js';

/** Building blocks for request schemas, shared by every resource. */

export const id = z.coerce.number().int().positive().max(2_147_483_647);
/** a reference that the document allows to be 0 for "none" */
export const optionalRef = z.coerce.number().int().min(0).max(2_147_483_647);
export const flag = z.preprocess((v) => (v === true ? 1 : v === false ? 0 : v), z.coerce.number().int().min(0).max(1));
/** whole rupiah; the money columns are 32-bit integers */
export const money = z.coerce.number().int('must be whole rupiah').min(0).max(2_147_483_647);
export const count = z.coerce.number().int().min(0).max(1_000_000);
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

export const paging = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  /** capped at 100 (docs/compat.md): a larger length answers 100 rows, not an error */
  length: z.coerce.number().int().min(1).max(1_000_000).default(10).transform((n) => Math.min(n, 100)),
});
