import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import multer from 'multer';
import pg from 'pg';
import type { Logger } from 'pino';

export interface FieldError {
  field: string;
  message: string;
}

/** An error whose message is safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, errors?: FieldError[]) => new HttpError(400, message, errors);
export const unauthorized = (message = 'Authentication required') => new HttpError(401, message);
export const forbidden = (message = 'You are not allowed to do this') => new HttpError(403, message);
export const notFound = (message = 'Not found') => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);
export const unprocessable = (message: string, errors?: FieldError[]) => new HttpError(422, message, errors);
export const serviceUnavailable = (message: string) => new HttpError(503, message);

export function zodFieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export const notFoundRoute: RequestHandler = (req) => {
  throw notFound(`No route for ${req.method} ${req.path}`);
};

interface PrismaLikeError {
  code?: string;
  meta?: { target?: unknown; modelName?: string; field_name?: unknown; driverAdapterError?: unknown };
  name?: string;
}

/**
 * Maps the database's known errors to client answers (duplicates, missing rows, broken references,
 * numbers beyond their column): Prisma's, and those of plain statements (`sqlRows` sends them
 * through `pg`, whose error carries the SQLSTATE itself as `code`), so both get the same answer.
 */
function fromDatabase(err: PrismaLikeError & { message?: string }): HttpError | undefined {
  const pgState = err instanceof pg.DatabaseError ? err.code : undefined;
  if (pgState === undefined && (typeof err.code !== 'string' || !/^P\d{4}$/.test(err.code))) return undefined;
  // Errors the drivers report by SQLSTATE (PGlite reports a RESTRICT violation as 23001, for example).
  const cause = (err.meta?.driverAdapterError as { cause?: { originalCode?: string } } | undefined)?.cause;
  const sqlState = pgState ?? cause?.originalCode ?? /Code: `(\w{5})`/.exec(err.message ?? '')?.[1];
  const code =
    sqlState === '23001' || sqlState === '23503'
      ? 'P2003'
      : sqlState === '23505'
        ? 'P2002'
        : sqlState === '40001' || sqlState === '40P01'
          ? 'P2034'
          : sqlState === '22003'
            ? 'P2020'
            : err.code;
  switch (code) {
    case 'P2002': {
      const target = err.meta?.target ?? (err instanceof pg.DatabaseError ? err.constraint : undefined);
      const fields = Array.isArray(target) ? target.join(', ') : typeof target === 'string' ? target : '';
      return new HttpError(409, `Duplicate value${fields ? ` for ${fields}` : ''}`);
    }
    case 'P2025':
      return notFound('Not found');
    case 'P2003':
      return conflict('The record is referenced by, or refers to, another record that does not allow this change');
    case 'P2034':
      return conflict('Concurrent update, please retry');
    case 'P2020':
      // a figure computed from the input (a line's qty × price, a cart's total) beyond its 32-bit column
      return new HttpError(422, 'A number is too large (amounts are whole rupiah up to 2,147,483,647)');
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let http: HttpError;
    if (err instanceof HttpError) http = err;
    else if (err instanceof ZodError) http = badRequest('Invalid input', zodFieldErrors(err));
    else if (err instanceof multer.MulterError) {
      http =
        err.code === 'LIMIT_FILE_SIZE'
          ? new HttpError(413, 'File too large')
          : err.code === 'LIMIT_FIELD_VALUE'
            ? new HttpError(413, `Form field too large${err.field ? `: ${err.field}` : ''}`)
            : badRequest(`Invalid upload: ${err.message}`, err.field ? [{ field: err.field, message: err.message }] : undefined);
    } else if (err instanceof URIError) http = badRequest('Malformed URL: an invalid %-escape');
    else if (err?.type === 'entity.parse.failed') http = badRequest('Malformed JSON body');
    else if (err?.type === 'entity.too.large') http = new HttpError(413, 'Request body too large');
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500 && err.expose) {
      http = new HttpError(err.status, err.message);
    } else {
      http = fromDatabase(err) ?? new HttpError(500, 'Internal server error');
    }
    if (http.status >= 500) (req.log ?? logger).error({ err }, 'request failed');
    if (res.headersSent) return;
    if (http.headers) res.set(http.headers);
    res.status(http.status).json({
      status: http.status,
      message: http.message,
      ...(http.errors?.length ? { errors: http.errors } : {}),
    });
  };
}
