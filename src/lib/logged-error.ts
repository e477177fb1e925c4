import pg from 'pg';
import pino from 'pino';

/**
 * The logger's `err` serializer: a logged error without the data of the call that failed. A
 * Prisma error's message renders the call's arguments (a validation error prints the whole
 * `where` or `data`, values included) and its `meta` carries the database's own message and
 * detail; PostgreSQL's `detail` lists the failing row's or key's values, and its data-exception
 * messages (SQLSTATE class 22) quote the bad value. Any of them can be a patient's name, a note or
 * a password hash. Kept: the class, Prisma's code, the failing call (`prisma.user.findMany()`),
 * the reason Prisma states last, the model, SQLSTATE, constraint and column, and the stack's frames.
 */
export function loggedError(err: unknown): unknown {
  if (!(err instanceof Error)) return pino.stdSerializers.err(err as Error);
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  if (err instanceof pg.DatabaseError) {
    delete out.detail;
    if (quotesValue(err.code)) out.message = VALUE_OMITTED;
  } else if (/^PrismaClient\w*Error$/.test(err.name)) {
    const { meta } = err as { meta?: Record<string, unknown> };
    const cause = (meta?.driverAdapterError as { cause?: Record<string, unknown> } | undefined)?.cause;
    const text = err.message.trim();
    const call = /^Invalid `([^`]+)` invocation/.exec(text)?.[1];
    // Prisma states the problem in the last paragraph, after the rendered call
    let reason = text.split(/\n\s*\n/).at(-1)!.trim();
    if (typeof cause?.originalMessage === 'string' && quotesValue(cause.originalCode)) reason = reason.replaceAll(cause.originalMessage, VALUE_OMITTED);
    out.message = call ? `${call}: ${reason}` : reason;
    out.stack = [`${out.type}: ${out.message}`, ...(err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l))].join('\n');
    if (meta) out.meta = { ...pick(meta, META_NAMES), ...(cause ? { database: pick(cause, CAUSE_NAMES) } : {}) };
  }
  return out;
}

const VALUE_OMITTED = '[the database message quotes the value: omitted]';
/** what Prisma's `meta` and its driver error's cause say that are names, not data */
const META_NAMES = ['modelName', 'operation', 'target', 'field_name', 'column_name', 'constraint'];
const CAUSE_NAMES = ['originalCode', 'kind', 'constraint', 'table', 'column'];

const quotesValue = (sqlState: unknown) => typeof sqlState === 'string' && sqlState.startsWith('22');

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
