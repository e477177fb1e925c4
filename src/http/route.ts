import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../app-context.js';
import type { AuthUser, Role } from './auth-user.js';
import type { Tx } from '../db/client.js';

/** Who may call a route: anyone, any signed-in user, or users holding one of the roles. */
export type Access = 'public' | 'authenticated' | readonly Role[];
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface UploadSpec {
  /** multipart field holding the file */
  field: string;
  /** what the file's real content (magic bytes) may be */
  accept: 'image' | 'image-or-pdf';
  required?: boolean;
}

export interface RequestContext<B = any, Q = any, P = any> {
  req: Request;
  res: Response;
  app: AppContext;
  user: AuthUser | undefined;
  body: B;
  query: Q;
  params: P;
  file?: { buffer: Buffer; mime: string; ext: string; size: number };
  /**
   * Writes the generic audit entry of a staff change (register.ts auditAdminChange) in `tx`, the
   * transaction making the change, so that both commit or neither does; does nothing when none is
   * due. `answer`: what the handler will answer (a create's new id is read from it). The entry of a
   * handler that does not call this is written after its change has committed, on its own.
   */
  auditChange: (tx: Tx, answer?: unknown) => Promise<void>;
}

export interface RouteDef<B = any, Q = any, P = any> {
  method: Method | readonly Method[];
  /** Express path, e.g. `/menus/:id/update` */
  path: string;
  access: Access;
  summary?: string;
  tag?: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  upload?: UploadSpec;
  /**
   * The route only reads (a POST list, report or check): not a change, so not in the audit log.
   * Defaults to true for `.../explore`, `.../search`, `.../table`, `/report/...` and `/dashboard/...`.
   */
  readOnly?: boolean;
  /**
   * Roles whose changes through this route are audited as staff's (the generic entry, written in the
   * change's transaction by auditChange) although the route is open to every signed-in user: a
   * doctor's cancel or move of an appointment through the customers' route, made with the
   * privileges of a clinician (no change cutoff, other people's bookings).
   */
  auditedRoles?: readonly Role[];
  /**
   * What a successful JSON answer looks like (documented in openapi.json; every answer in the test
   * suite is validated against it). Required for every route that answers JSON.
   */
  response?: z.ZodType;
  /** other content types a successful answer may have (a PDF, a CSV export, a file) */
  produces?: readonly string[];
  /** Returned value is sent as JSON; return undefined after writing `ctx.res` yourself. */
  handler: (ctx: RequestContext<B, Q, P>) => unknown;
}

export const route = <B = any, Q = any, P = any>(def: RouteDef<B, Q, P>): RouteDef<B, Q, P> => def;

export const methodsOf = (def: RouteDef) => (Array.isArray(def.method) ? def.method : [def.method]) as Method[];

/** POST routes that only read by the API's conventions: lists, reports, dashboards. */
const READ_ONLY_PATH = /\/(explore|search|table)$|^\/(report|dashboard)\//;
export const isReadOnly = (def: RouteDef) => def.readOnly ?? READ_ONLY_PATH.test(def.path);
