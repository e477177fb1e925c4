import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApi } from '../../src/http/openapi.js';
import { methodsOf } from '../../src/http/route.js';
import { allRoutes } from '../../src/modules/index.js';
import { readDocument, routeOf as routeOfIn, sections } from '../helpers/api-document.js';

/**
 * The document's samples against the route table (no database needed): every field a documented
 * response shows is declared by that route's response schema (which the suite's response validator
 * holds every answer to, objects closed) with a JSON type the sample's client can read; every
 * "Table Specs" list is the route's DataTables column list, in that order; every field a documented
 * request sends is read by the route's body schema. The exceptions below are the choices
 * docs/compat.md records (and the places where the document contradicts itself).
 */

type Schema = Record<string, any>;

const defs = allRoutes();
const openapi = buildOpenApi(defs, 'http://api.test');
const routeOf = (docPath: string) => routeOfIn(defs, docPath);

const responseSchema = (routePath: string, method: string): Schema | undefined =>
  (openapi.paths as Record<string, Record<string, any>>)[routePath.replace(/:(\w+)/g, '{$1}')]?.[method]?.responses['200'].content['application/json']?.schema;

/** a schema's alternatives (anyOf/oneOf, a list of types), each of one type */
const branches = (s: Schema): Schema[] =>
  s.anyOf || s.oneOf ? [...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap(branches) : Array.isArray(s.type) ? s.type.map((type: string) => ({ ...s, type })) : [s];

const typeOfSchema = (s: Schema): string | undefined =>
  s.type ?? (s.const !== undefined ? jsonType(s.const) : s.properties ? 'object' : s.items ? 'array' : undefined);

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** What a sample value shows that the schema does not allow (the closest alternative's problems). */
function mismatches(value: unknown, schema: Schema, where: string): string[] {
  // a null in a sample is a value the row did not have there, not a type
  if (value === null) return [];
  // the alternative of the value's own type first (an object, not the null beside it)
  const all = branches(schema);
  const sameType = all.filter((b) => [jsonType(value), undefined].includes(typeOfSchema(b)) || (jsonType(value) === 'integer' && typeOfSchema(b) === 'number'));
  let best: string[] | undefined;
  for (const b of sameType.length ? sameType : all) {
    const found = branchMismatches(value, b, where);
    if (!best || found.length < best.length) best = found;
    if (!found.length) break;
  }
  return best ?? [];
}

function branchMismatches(value: unknown, s: Schema, where: string): string[] {
  const want = typeOfSchema(s);
  if (want === undefined) return [];
  const t = jsonType(value);
  const numericText = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
  // ids, flags and amounts the document prints as text ("1", "0") are numbers here (compat: Everywhere)
  const ok = t === want || (t === 'integer' && want === 'number') || (numericText && (want === 'integer' || want === 'number'));
  if (!ok) return [`${where}: the document shows ${t} ${JSON.stringify(value).slice(0, 40)}, the schema ${want}`];
  if (t === 'object') {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    return Object.entries(value as object).flatMap(([k, v]) =>
      k in props ? mismatches(v, props[k]!, `${where}.${k}`) : s.additionalProperties ? [] : [`${where}.${k}: not in the response schema`],
    );
  }
  if (t === 'array' && (value as unknown[]).length && s.items) return mismatches((value as unknown[])[0], s.items, `${where}[]`);
  return [];
}

/**
 * Where the answers differ from a sample on purpose (docs/compat.md), or the document contradicts
 * itself: `.field` wherever it is, or `method /route/path resp.field` (a prefix).
 */
const DELIBERATE = [
  // "Secrets are never returned"
  '.reset_hash',
  '.otp',
  // "static_contents/search answers {static_contents: [...]} like every other search"
  'post /static_contents/search resp.',
  // the document's orders/search sample is one bare order; every search answers {"<key>": [...]}
  'post /orders/search resp.',
  // "Nested patients leave out the picture (patient files are private)"
  'get /user_schedules/:id resp.user_schedules.patients.patient_picture',
  // "Medical record fields: is_verified and verified_iduser are numbers (0 when unverified; the document prints "")"
  '.is_verified',
  '.verified_iduser',
  // region codes are text everywhere (district ids keep leading zeros, "00981"); the document prints
  // an order's as numbers in lists and as text in orders/:id
  '.kode_provinsi',
  '.kode_kota',
  '.kode_kecamatan',
];

const deliberate = (method: string, routePath: string, line: string) =>
  DELIBERATE.some((k) => (k.startsWith('.') ? line.includes(`${k}:`) || line.includes(`${k}.`) : `${method} ${routePath} ${line}`.startsWith(k)));

const documented = sections(readDocument());

describe("the document's samples against the route table", () => {
  it('reads the document', () => {
    expect(documented.length).toBeGreaterThan(300);
    expect(documented.filter((s) => s.response !== undefined).length).toBeGreaterThan(200);
    expect(documented.filter((s) => s.tableSpecs?.length).length).toBeGreaterThan(30);
  });

  it('every field of a documented response is declared by its route with a readable type', () => {
    const problems: string[] = [];
    for (const s of documented) {
      if (s.response === undefined) continue;
      const def = routeOf(s.path);
      if (!def) {
        problems.push(`${s.path}: no route`);
        continue;
      }
      for (const method of s.methods.filter((m) => methodsOf(def).includes(m as never))) {
        const schema = responseSchema(def.path, method);
        if (!schema) {
          problems.push(`${method} ${def.path}: no JSON response schema`);
          continue;
        }
        for (const line of mismatches(s.response, schema, 'resp')) if (!deliberate(method, def.path, line)) problems.push(`${method} ${def.path} ${line}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every documented Table Specs list is the DataTables column list of its route', () => {
    const problems: string[] = [];
    for (const s of documented) {
      if (!s.tableSpecs?.length) continue;
      const def = routeOf(s.path);
      // the route describes its columns in its summary (resource tables and report tables alike)
      const listed = /columns:? ((?:\d+:\w+(?:, )?)+)/.exec(def?.summary ?? '')?.[1];
      const columns = listed?.split(', ').map((c) => c.replace(/^\d+:/, ''));
      if (JSON.stringify(columns) !== JSON.stringify(s.tableSpecs)) problems.push(`${s.path}: document ${s.tableSpecs.join(',')} | route ${columns?.join(',')}`);
    }
    expect(problems).toEqual([]);
  });

  it('every field of a documented request is read by its route', () => {
    // fields the document sends that are deliberately not read (docs/compat.md)
    const ignored = new Set(['/user_schedules/:id/reschedule id_users', '/user_schedules/:id/reschedule id_patients']);
    const problems: string[] = [];
    for (const s of documented) {
      const sample = Array.isArray(s.request) ? s.request[0] : s.request;
      if (!sample || typeof sample !== 'object') continue;
      const def = routeOf(s.path);
      const input = [def?.body, def?.query].filter((x): x is z.ZodType => !!x).map((x) => z.toJSONSchema(x, { io: 'input', unrepresentable: 'any' }) as Schema);
      const props = new Set(input.flatMap(branches).flatMap((b) => Object.keys({ ...b.properties, ...b.items?.properties })));
      for (const key of Object.keys(sample)) if (!props.has(key) && !ignored.has(`${def?.path} ${key}`)) problems.push(`${s.path}: ${key} is not read`);
    }
    expect(problems).toEqual([]);
  });
});
