import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { sqlRows, type Db } from '../db/client.js';
import { nextChange } from '../db/read-cache.js';
import { paging, wholeNumber } from '../lib/schemas.js';
import * as shape from './response.js';
import type { AuthUser } from './auth-user.js';
import { badRequest, notFound, zodFieldErrors } from './errors.js';
import { route, type Access, type Method, type RequestContext, type RouteDef } from './route.js';
import { containsText } from '../lib/text-search.js';

/**
 * The shared create / explore / search / table / get / update / delete machinery.
 * A resource is described by data (its model, schemas, filters, columns, serializers)
 * and this file turns that description into routes with the document's envelopes.
 */

type Row = any;
type Where = Record<string, unknown>;

export interface Caller {
  app: AppContext;
  user: AuthUser | undefined;
  /** the HTTP request (for audit entries: address and user agent); absent outside requests */
  req?: Request;
}

export interface Column {
  /** the document's "Table Specs" name */
  name: string;
  value: (row: Row, caller: Caller) => unknown;
  /** Prisma orderBy for this column (a list when it sorts by several fields); a column without one is not sortable */
  orderBy?: (dir: 'asc' | 'desc') => Record<string, unknown> | Record<string, unknown>[];
  /** the cell is health data (see ResourceSpec.clinicalOwner) */
  clinical?: boolean;
}

export interface ResourceSpec<F = any> {
  /** path segment, e.g. `menu_categories` */
  name: string;
  /** envelope key of single and search answers (default: name) */
  key?: string;
  model: (db: Db) => any;
  access: { read: Access; write: Access; create?: Access; update?: Access; delete?: Access; list?: Access };
  /** filters accepted by explore, search and table (in the body; in the query for GET explore) */
  filters?: z.ZodObject<any>;
  where?: (filters: F, caller: Caller) => Where | Promise<Where>;
  /** rows the caller may see and change at all (ownership); undefined = everything */
  scope?: (caller: Caller) => Where | undefined;
  softDelete?: boolean;
  /**
   * string fields matched by the table's global search (besides the id, for a number); a table
   * without them finds nothing for text, so give every table with columns the ones it shows
   */
  searchFields?: string[];
  include?: Record<string, unknown>;
  /**
   * How explore and search load `include`: 'join' (the default, one statement) or 'query' (the
   * page's rows first, then one statement per relation). With joins PostgreSQL builds every matching
   * row's relations before it sorts and keeps the page, which costs as many rows as the list has
   * when no index yields the order (threads: last_update_at DESC NULLS LAST, which Prisma cannot
   * declare an index for).
   */
  relationLoadStrategy?: 'join' | 'query';
  detailInclude?: Record<string, unknown>;
  defaultOrder?: Record<string, unknown> | Record<string, unknown>[];
  toJSON: (row: Row, caller: Caller) => unknown;
  /**
   * Completes the rows an explore, search, table or get read, before toJSON/toDetail/the columns
   * read them (batched: once per answer, never per row). E.g. open carts shown at today's prices.
   */
  prepareRows?: (rows: Row[], caller: Caller) => Promise<void>;
  toDetail?: (row: Row, caller: Caller) => unknown;
  /** what toJSON returns (list items) */
  schema: z.ZodType;
  /** what toDetail returns (create, get, update); default: schema */
  detailSchema?: z.ZodType;
  columns?: Column[];
  /** what the table's columns read of a row's relations (default: include; null: the row alone) */
  tableInclude?: Record<string, unknown> | null;
  /**
   * The table's columns read the row alone, from this database table: Prisma finds the page's ids
   * (the where, order and page as always) and one plain statement reads their rows, which costs
   * less Node CPU than Prisma mapping every field (orders: 47 columns). Only for a table whose
   * columns `pg` returns as Prisma does (no Decimal, BigInt, Bytes or date-only columns).
   */
  tableRowsFrom?: string;
  /** the column naming whose health data a row's clinical cells are: a patient id, or a thread id */
  clinicalOwner?: { patient: string } | { thread: string };
  exploreMethods?: Method[];
  create?:
    | false
    | {
        body: z.ZodType;
        /** returns the new row's id; runs inside a transaction */
        run: (body: any, caller: Caller, tx: Db) => Promise<number>;
        access?: Access;
        updateMethods?: Method[];
      };
  update?:
    | false
    | {
        body: z.ZodType;
        run: (id: number, body: any, caller: Caller, tx: Db, existing: Row) => Promise<void>;
        access?: Access;
        methods?: Method[];
      };
  /**
   * run may return what is to happen once the delete has committed (removing the row's file: a
   * delete that rolls back keeps it)
   */
  delete?: false | { access?: Access; run?: (id: number, caller: Caller, tx: Db, existing: Row) => Promise<void | (() => Promise<unknown>)> };
  searchLimit?: number;
  /**
   * A hand-written query for explore and search of a hot list (see sqlRows in db/client.ts): it
   * must select what `where`, `softDelete` and `scope` select, ordered by `defaultOrder`, in rows
   * `toJSON` reads. `count` is false for search (total then unused).
   */
  list?: (filters: F, caller: Caller, page: { skip: number; take: number; count: boolean }) => Promise<{ total: number; rows: Row[] }>;
  /**
   * The same for `get` of a hot resource: the row `id` if `softDelete` and `scope` let the caller
   * see it (else null), in the shape `toDetail` reads. Updates and deletes still load through Prisma
   * in their transaction.
   */
  get?: (id: number, caller: Caller) => Promise<Row | null>;
  /**
   * explore, search and get answers kept by the read cache (db/read-cache.ts) until one of
   * `tables` (every table they read) changes. For public reads whose answer depends on the request
   * and on nothing of the caller but `variant`.
   */
  readCache?: ReadCacheSpec;
}

export interface ReadCacheSpec {
  tables: readonly string[];
  /** what of the caller changes the answer (staff see hidden stores): part of the key */
  variant?: (caller: Caller) => string;
  /** when a row's answer changes by itself (a promotion's start and end) */
  changesAt?: (row: Row) => (Date | null)[];
}

/**
 * `compute`'s answer, kept by the read cache under `what` and `args` (everything of the request it
 * depends on) when the resource says so (ResourceSpec.readCache); computed every time otherwise.
 * `compute` gives the rows for `changesAt`, or says itself until when its answer holds.
 */
export function cachedRead<T>(
  c: Caller,
  cache: ReadCacheSpec | undefined,
  what: string,
  args: unknown,
  compute: () => Promise<{ answer: T; rows?: Row[]; validUntil?: number }>,
): Promise<T> {
  if (!cache || !c.app.reads.live) return compute().then((r) => r.answer);
  const key = `${what}:${cache.variant?.(c) ?? ''}:${JSON.stringify(args)}`;
  return c.app.reads.get(key, cache.tables, async () => {
    const { answer, rows = [], validUntil } = await compute();
    const changes = cache.changesAt ? nextChange(c.app.now().getTime(), rows.flatMap(cache.changesAt)) : undefined;
    return { value: answer, validUntil: Math.min(changes ?? Infinity, validUntil ?? Infinity) };
  });
}

/**
 * The most rows a table answers: also for `length: -1` ("all"). A table answers as many rows as
 * `length` asks (more is a 400): DataTables pages by its own length, so answering fewer rows than
 * asked would make the next page start past rows the client never got.
 */
export const MAX_TABLE_LENGTH = 1000;

const tableRequest = z.object({
  draw: wholeNumber(0, 2_147_483_647).default(0),
  start: wholeNumber(0, 10_000_000).default(0),
  length: wholeNumber(-1, MAX_TABLE_LENGTH).default(10),
  search: z.string().max(200).default(''),
  order: z
    .array(z.object({ column: wholeNumber(0, 200), dir: z.enum(['asc', 'desc']).default('asc') }))
    .max(10)
    .default([]),
});

/** DataTables sends `search[value]` and `order[0][column]` either nested (form/qs) or as flat keys (JSON). */
export function normalizeTableRequest(raw: Record<string, any>) {
  const search = typeof raw.search === 'object' && raw.search ? raw.search.value : (raw['search[value]'] ?? raw.search);
  let order: unknown = raw.order;
  if (!Array.isArray(order) && order && typeof order === 'object') order = Object.values(order);
  if (!order) {
    // keyed by the index, then sorted: an array indexed by it would be as long as the largest
    // index a client sends (`order[4294967294][column]`), and walking it blocks the event loop
    const flat = new Map<number, { column?: unknown; dir?: unknown }>();
    for (const [k, v] of Object.entries(raw)) {
      const m = /^order\[(\d+)\]\[(column|dir)\]$/.exec(k);
      if (!m) continue;
      const i = Number(m[1]);
      if (!flat.has(i)) flat.set(i, {});
      flat.get(i)![m[2] as 'column' | 'dir'] = v;
    }
    order = [...flat.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o);
  }
  const t = tableRequest.parse({ draw: raw.draw, start: raw.start, length: raw.length, search: search ?? '', order });
  const cells = clientColumns(raw);
  if (!cells.size) return t;
  // `order[i][column]` indexes the client's `columns`, whose `data` is the row's cell (the Table
  // Specs index): a dashboard that shows some columns, or in its own order, sorts by what it shows.
  // A client column without a cell index (`data: null`, or "function" for a function) keeps its
  // position as the index, as without `columns`.
  return {
    ...t,
    order: t.order.map((o) => {
      const data = cells.get(o.column);
      const cell = typeof data === 'number' ? data : typeof data === 'string' && /^\d{1,3}$/.test(data.trim()) ? Number(data) : NaN;
      return Number.isInteger(cell) && cell >= 0 && cell <= 200 ? { ...o, column: cell } : o;
    }),
  };
}

/** The `data` of each column the client sent (`columns[i][data]`), nested or as flat JSON keys, by i. */
function clientColumns(raw: Record<string, any>): Map<number, unknown> {
  const cells = new Map<number, unknown>();
  const add = (i: string, data: unknown) => {
    if (/^\d{1,3}$/.test(i)) cells.set(Number(i), data);
  };
  const nested: unknown = raw.columns;
  if (nested && typeof nested === 'object') {
    for (const [i, col] of Object.entries(nested)) if (col && typeof col === 'object' && 'data' in col) add(i, (col as { data: unknown }).data);
  } else {
    for (const [k, v] of Object.entries(raw)) {
      const m = /^columns\[(\d+)\]\[data\]$/.exec(k);
      if (m) add(m[1]!, v);
    }
  }
  return cells;
}

/** The rows of `table` with these ids, in the ids' order (a row deleted meanwhile is left out). */
async function rowsById(db: object, table: string, ids: number[]): Promise<Row[]> {
  if (!ids.length) return [];
  const rows = await sqlRows<Row>(db, `SELECT * FROM "${table}" WHERE id = ANY($1::int[])`, [ids], { prepared: true });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * `toJSON` made once per row for all of a table's columns: a column's `value` is asked once per
 * row and column, and a table whose columns are fields of the row's JSON (47 for orders) would
 * otherwise build that JSON once per column.
 */
export function perRow<R extends object, T>(toJSON: (row: R) => T): (row: R) => T {
  const made = new WeakMap<R, T>();
  return (row) => {
    let json = made.get(row);
    if (json === undefined) made.set(row, (json = toJSON(row)));
    return json;
  };
}

/**
 * `order` made a total order: its keys, then the id unless they hold it (in the direction of the
 * last key). Rows that tie on a key that is not unique (a doctor's schedules at one hour, delivery
 * zones from one distance) would otherwise come in any order PostgreSQL finds them, another one
 * for each page, so that paging shows a row twice and another never.
 */
export function totalOrder(order: Record<string, unknown> | Record<string, unknown>[]): Record<string, unknown>[] {
  const keys = Array.isArray(order) ? order : [order];
  if (keys.some((k) => 'id' in k)) return keys;
  const last = Object.values(keys.at(-1) ?? {})[0];
  return [...keys, { id: last === 'desc' || (last as { sort?: string } | undefined)?.sort === 'desc' ? 'desc' : 'asc' }];
}

export function pageEnvelope<T>(page: number, length: number, total: number, data: T[]) {
  const totalpage = Math.max(1, Math.ceil(total / length));
  // A window of pages around the current one: listing every page of a large table is useless.
  const first = Math.max(1, Math.min(page - 4, totalpage - 9));
  const last = Math.min(totalpage, first + 9);
  const anchor = [];
  for (let p = first; p <= last; p++) anchor.push({ page: p });
  return { page, totalpage, length, displayed: data.length, anchor, totaldata: total, data };
}

/** All of the parts; a part that is itself only an AND joins the list (the same condition, flat). */
function and(...parts: (Where | undefined)[]): Where {
  const list = parts
    .filter((p): p is Where => !!p && Object.keys(p).length > 0)
    .flatMap((p) => (Object.keys(p).length === 1 && Array.isArray(p.AND) ? (p.AND as Where[]) : [p]));
  return list.length === 0 ? {} : list.length === 1 ? list[0]! : { AND: list };
}

function globalSearch(spec: ResourceSpec, value: string): Where | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const or: Where[] = (spec.searchFields ?? []).map((f) => nestedContains(f, v));
  if (/^\d{1,9}$/.test(v)) or.push({ id: Number(v) });
  // a search nothing can match finds nothing (Prisma: an empty OR is false), not every row
  return { OR: or };
}

/** `a.b.c` → { a: { b: { c: { contains, mode } } } } */
function nestedContains(path: string, v: string): Where {
  return path
    .split('.')
    .reverse()
    .reduce<Where>((inner, key) => ({ [key]: inner }), containsText(v) as Where);
}

export function resourceRoutes(spec: ResourceSpec): RouteDef[] {
  const key = spec.key ?? spec.name;
  const base = `/${spec.name}`;
  const caller = (ctx: RequestContext): Caller => ({ app: ctx.app, user: ctx.user, req: ctx.req });
  const listAccess = spec.access.list ?? spec.access.read;
  const filters = emptyFiltersAbsent(spec.filters ?? z.object({}));
  const order = totalOrder(spec.defaultOrder ?? { id: 'desc' });
  const loadStrategy = spec.relationLoadStrategy ? { relationLoadStrategy: spec.relationLoadStrategy } : {};
  const single = spec.schema && shape.one(key, spec.detailSchema ?? spec.schema);
  // a kept answer is given to every caller of its variant: only for reads anyone may make
  if (spec.readCache && (listAccess !== 'public' || spec.access.read !== 'public')) throw new Error(`${spec.name}: readCache is for public reads only`);
  if (spec.tableRowsFrom && spec.tableInclude !== null) throw new Error(`${spec.name}: tableRowsFrom reads the row alone (tableInclude: null)`);

  /**
   * A count of the rows `where` matches, reused for a few seconds when it is large (AppContext.counts).
   * `where` holds everything that decides the count: the caller's scope, the filters and the search.
   */
  const countOf = (app: AppContext, where: Where, countNow: () => Promise<number>) =>
    app.counts.count(`${spec.name}:${JSON.stringify(where)}`, countNow);
  /** the rows the caller may see at all: live ones, in the caller's scope */
  const visibleWhere = (c: Caller): Where => and(spec.softDelete ? { deleted_at: null } : undefined, spec.scope?.(c));
  /** the request's filters */
  const filterWhere = async (c: Caller, f: any): Promise<Where | undefined> => (spec.where ? spec.where(f, c) : undefined);
  async function listWhere(c: Caller, f: any): Promise<Where> {
    return and(visibleWhere(c), await filterWhere(c, f));
  }
  function rowWhere(c: Caller, id: number): Where {
    return and({ id }, visibleWhere(c));
  }
  async function loadDetail(c: Caller, id: number, db: Db = c.app.db) {
    const row = await spec.model(db).findFirst({ where: rowWhere(c, id), include: spec.detailInclude ?? spec.include });
    if (!row) throw notFound(`${key} ${id} not found`);
    return row;
  }
  const detail = (row: Row, c: Caller) => (spec.toDetail ?? spec.toJSON)(row, c);

  const routes: RouteDef[] = [];
  if (spec.create) {
    const create = spec.create;
    routes.push(
      route({
        method: 'post',
        path: `${base}/create`,
        access: create.access ?? spec.access.create ?? spec.access.write,
        tag: spec.name,
        summary: `Create ${key}`,
        body: create.body,
        response: single,
        handler: async (ctx) => {
          const c = caller(ctx);
          return ctx.app.db.$transaction(async (tx) => {
            const id = await create.run(ctx.body, c, tx);
            const row = await spec.model(tx).findFirst({ where: { id }, include: spec.detailInclude ?? spec.include });
            const answer = { [key]: detail(row, c) };
            await ctx.auditChange(tx, answer);
            return answer;
          });
        },
      }),
    );
  }

  routes.push(
    route({
      method: spec.exploreMethods ?? 'post',
      path: `${base}/explore`,
      access: listAccess,
      tag: spec.name,
      summary: `Explore ${key} (paged)`,
      query: paging.loose(),
      body: filters.optional(),
      response: spec.schema && shape.page(spec.schema),
      handler: async (ctx) => {
        const c = caller(ctx);
        const f = ctx.req.method === 'GET' ? parseFilters(filters, ctx.query) : (ctx.body ?? {});
        const { page, length } = ctx.query as { page: number; length: number };
        return cachedRead(c, spec.readCache, `${spec.name}/explore`, [page, length, f], async () => {
          if (spec.list) {
            const { total, rows } = await spec.list(f, c, { skip: (page - 1) * length, take: length, count: true });
            await spec.prepareRows?.(rows, c);
            return { rows, answer: pageEnvelope(page, length, total, rows.map((r: Row) => spec.toJSON(r, c))) };
          }
          const where = await listWhere(c, f);
          const m = spec.model(ctx.app.db);
          const [total, rows] = await Promise.all([
            countOf(ctx.app, where, () => m.count({ where })),
            m.findMany({ where, include: spec.include, orderBy: order, skip: (page - 1) * length, take: length, ...loadStrategy }),
          ]);
          await spec.prepareRows?.(rows, c);
          return { rows, answer: pageEnvelope(page, length, total, rows.map((r: Row) => spec.toJSON(r, c))) };
        });
      },
    }),
    route({
      method: 'post',
      path: `${base}/search`,
      access: listAccess,
      tag: spec.name,
      summary: `Search ${key}`,
      response: spec.schema && shape.many(key, spec.schema),
      body: filters.extend({ limit: wholeNumber(1, spec.searchLimit ?? 100).optional() }).optional(),
      handler: async (ctx) => {
        const c = caller(ctx);
        const { limit = spec.searchLimit ?? 100, ...f } = ctx.body ?? {};
        return cachedRead(c, spec.readCache, `${spec.name}/search`, [limit, f], async () => {
          const rows = spec.list
            ? (await spec.list(f, c, { skip: 0, take: Number(limit), count: false })).rows
            : await spec.model(ctx.app.db).findMany({ where: await listWhere(c, f), include: spec.include, orderBy: order, take: limit, ...loadStrategy });
          await spec.prepareRows?.(rows, c);
          return { rows, answer: { [key]: rows.map((r: Row) => spec.toJSON(r, c)) } };
        });
      },
    }),
  );

  if (spec.columns) {
    const columns = spec.columns;
    const tableInclude = spec.tableInclude === undefined ? spec.include : (spec.tableInclude ?? undefined);
    const ownerColumn = (kind: 'patient' | 'thread') => {
      const name = (spec.clinicalOwner as Record<string, string> | undefined)?.[kind];
      return name === undefined ? undefined : columns.findIndex((col) => col.name === name);
    };
    routes.push(
      route({
        method: 'post',
        path: `${base}/table`,
        access: listAccess,
        tag: spec.name,
        summary: `${key} for DataTables (server-side): columns ${columns.map((col, i) => `${i}:${col.name}`).join(', ')}`,
        body: filters.extend({ draw: z.unknown(), start: z.unknown(), length: z.unknown(), search: z.unknown(), order: z.unknown() }).partial().loose().optional(),
        response: shape.dataTable(columns.length, {
          clinical: columns.flatMap((col, i) => (col.clinical ? [i] : [])),
          patient: ownerColumn('patient'),
          thread: ownerColumn('thread'),
        }),
        handler: async (ctx) => {
          const c = caller(ctx);
          // the body as sent: the route's parse has already transformed the filters (a date filter
          // is a Date in ctx.body), and parseFilters parses them once more
          const raw = (ctx.req.body ?? {}) as Record<string, any>;
          const t = normalizeTableRequest(raw);
          const f = parseFilters(filters, raw);
          const base = visibleWhere(c);
          const narrowing = and(await filterWhere(c, f), globalSearch(spec, t.search));
          const where = and(base, narrowing);
          // Nothing to narrow by (the table's first view): the filtered count is the total, so a
          // large table is counted once, not twice.
          const narrowed = Object.keys(narrowing).length > 0;
          const orderBy = t.order.flatMap((o) => columns[o.column]?.orderBy?.(o.dir) ?? []);
          const take = t.length === -1 ? MAX_TABLE_LENGTH : Math.min(t.length, MAX_TABLE_LENGTH);
          const m = spec.model(ctx.app.db);
          const page = { where, orderBy: [...orderBy, { id: 'desc' }], skip: t.start, take };
          const from = spec.tableRowsFrom;
          const [recordsTotal, recordsFiltered, rows] = await Promise.all([
            countOf(ctx.app, base, () => m.count({ where: base })),
            narrowed ? countOf(ctx.app, where, () => m.count({ where })) : undefined,
            from
              ? m.findMany({ ...page, select: { id: true } }).then((ids: { id: number }[]) => rowsById(ctx.app.db, from, ids.map((r) => r.id)))
              : m.findMany({ ...page, include: tableInclude }),
          ]);
          await spec.prepareRows?.(rows, c);
          return {
            draw: t.draw,
            recordsTotal,
            recordsFiltered: recordsFiltered ?? recordsTotal,
            data: rows.map((r: Row) => columns.map((col) => col.value(r, c) ?? '')),
          };
        },
      }),
    );
  }

  routes.push(
    route({
      method: 'get',
      path: `${base}/:id`,
      access: spec.access.read,
      tag: spec.name,
      summary: `Get one ${key}`,
      response: single,
      handler: async (ctx) => {
        const c = caller(ctx);
        const id: number = ctx.params.id;
        return cachedRead(c, spec.readCache, `${spec.name}/get`, id, async () => {
          const row = spec.get ? await spec.get(id, c) : await loadDetail(c, id);
          if (!row) throw notFound(`${key} ${id} not found`);
          await spec.prepareRows?.([row], c);
          return { rows: [row], answer: { [key]: detail(row, c) } };
        });
      },
    }),
  );

  if (spec.update) {
    const update = spec.update;
    routes.push(
      route({
        method: update.methods ?? ['put', 'post'],
        path: `${base}/:id/update`,
        access: update.access ?? spec.access.update ?? spec.access.write,
        tag: spec.name,
        summary: `Update ${key}`,
        body: update.body,
        response: single,
        handler: async (ctx) => {
          const c = caller(ctx);
          const row = await ctx.app.db.$transaction(async (tx) => {
            const existing = await loadDetail(c, ctx.params.id, tx);
            await update.run(ctx.params.id, ctx.body, c, tx, existing);
            await ctx.auditChange(tx);
            return loadDetail(c, ctx.params.id, tx);
          });
          return { [key]: detail(row, c) };
        },
      }),
    );
  }

  if (spec.delete !== false) {
    const del = spec.delete ?? {};
    routes.push(
      route({
        method: 'delete',
        path: `${base}/:id/delete`,
        access: del.access ?? spec.access.delete ?? spec.access.write,
        tag: spec.name,
        summary: `Delete ${key}`,
        response: shape.deleted,
        handler: async (ctx) => {
          const c = caller(ctx);
          const afterCommit = await ctx.app.db.$transaction(async (tx) => {
            const existing = await loadDetail(c, ctx.params.id, tx);
            let onCommit: void | (() => Promise<unknown>) = undefined;
            if (del.run) onCommit = await del.run(ctx.params.id, c, tx, existing);
            else if (spec.softDelete) await softDeleteLive(spec.model(tx), key, ctx.params.id, c.app.now());
            else await spec.model(tx).delete({ where: { id: ctx.params.id } });
            await ctx.auditChange(tx);
            return onCommit;
          });
          if (typeof afterCommit === 'function') await afterCommit();
          return { deleted: true };
        },
      }),
    );
  }
  return routes;
}

/**
 * Sets `deleted_at` (and `data`) on row `id` only while it is live, else a 404: a delete that
 * committed after the row was read (two admins deleting at once) makes this one wait for its row
 * lock and then find the row deleted, instead of answering 200 a second time and moving the
 * deletion time. For the resources' own delete runs too.
 */
export async function softDeleteLive(model: any, key: string, id: number, now: Date, data: Record<string, unknown> = {}) {
  const { count } = await model.updateMany({ where: { id, deleted_at: null }, data: { ...data, deleted_at: now } });
  if (!count) throw notFound(`${key} ${id} not found`);
}

/**
 * A filter sent empty (`""` or null: what a form or a DataTables filter sends for "all") is no
 * filter. Without this the number fields refuse both (schemas.ts: an empty written number is not 0),
 * and `is_blocked: ""` would be a 400 instead of listing blocked and unblocked users. Also for the
 * hand-written search routes that take a resource's filters.
 */
export function emptyFiltersAbsent<T extends z.ZodRawShape>(schema: z.ZodObject<T>): z.ZodObject<T> {
  const absent = (v: unknown) => (v === '' || v === null ? undefined : v);
  // the same fields and outputs (each only takes more input), hence the same type
  return z.object(Object.fromEntries(Object.entries(schema.shape).map(([k, field]) => [k, z.preprocess(absent, field as z.ZodType)]))) as unknown as z.ZodObject<T>;
}

function parseFilters(schema: z.ZodObject<any>, raw: unknown) {
  const result = schema.safeParse(raw && typeof raw === 'object' ? raw : {});
  if (!result.success) throw badRequest('Invalid filter', zodFieldErrors(result.error));
  return result.data;
}
