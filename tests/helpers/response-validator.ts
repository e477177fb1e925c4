import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../../src/app-context.js';
import { buildOpenApi } from '../../src/http/openapi.js';
import type { RouteDef } from '../../src/http/route.js';
import { threadScope } from '../../src/modules/consultations/threads.service.js';
import { patientReadScope } from '../../src/modules/patients/access.js';
import { allRoutes } from '../../src/modules/index.js';

/**
 * Every JSON answer the suite receives is checked against openapi.json (the document the app
 * serves, generated from the route table): a success against its operation's 200 schema (closed
 * objects, so an undocumented field fails), an error against the Error schema. And a field marked
 * `x-clinical` may reach only a caller who may read that patient (patientReadScope), or, for a
 * consultation without a patient (a prescription request), who may read that thread (threadScope).
 *
 * A schema mismatch turns the answer into a 500 naming the problem, so the test that made the
 * request fails where it happened; every problem is also kept and fails the file at close().
 */

type Schema = Record<string, any>;

const spec = buildOpenApi(allRoutes(), 'http://api.test');
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();
const errorValidator = ajv.compile(spec.components.schemas.Error);

function successSchema(def: RouteDef, method: string): Schema | undefined {
  const op = (spec.paths as Record<string, Record<string, any>>)[def.path.replace(/:(\w+)/g, '{$1}')]?.[method];
  return op?.responses?.['200']?.content?.['application/json']?.schema;
}

function validatorFor(def: RouteDef, method: string) {
  const key = `${method} ${def.path}`;
  if (!compiled.has(key)) {
    const schema = successSchema(def, method);
    if (schema) compiled.set(key, ajv.compile(schema));
  }
  return compiled.get(key);
}

interface ClinicalFinding {
  field: string;
  patient: unknown;
  thread: unknown;
}

const at = (obj: Record<string, unknown>, path: string | undefined) =>
  path?.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as any)[p] : undefined), obj);
const positive = (v: unknown): v is number => typeof v === 'number' && v > 0;

/** Objects in `value` holding a non-empty clinical field, with the patient (or thread) each names. */
function clinicalObjects(value: unknown, schema: Schema | undefined, found: ClinicalFinding[], where = '$') {
  if (!schema || value === null || value === undefined) return;
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) clinicalObjects(value, branch, found, where);
  if (Array.isArray(value)) {
    value.forEach((v, i) => clinicalObjects(v, schema.items, found, `${where}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || !schema.properties) return;
  const obj = value as Record<string, unknown>;
  if (Array.isArray(schema['x-clinical-columns']) && Array.isArray(obj.data)) {
    // a DataTables answer: rows of cells, some of them health data
    obj.data.forEach((row: unknown[], i: number) => {
      for (const col of schema['x-clinical-columns'] as number[]) {
        if (row[col] === null || row[col] === '' || row[col] === undefined) continue;
        found.push({ field: `${where}.data[${i}][${col}]`, patient: row[schema['x-patient-column'] ?? -1], thread: row[schema['x-thread-column'] ?? -1] });
      }
    });
  }
  for (const [k, v] of Object.entries(obj)) {
    const prop = schema.properties[k];
    if (!prop) continue;
    const empty = v === null || v === '' || (Array.isArray(v) && v.length === 0);
    if (prop['x-clinical'] && !empty) {
      found.push({ field: `${where}.${k}`, patient: at(obj, schema['x-patient-id']), thread: at(obj, schema['x-thread-id']) });
    }
    clinicalObjects(v, prop, found, `${where}.${k}`);
  }
}

export function responseValidator(app: AppContext) {
  const problems: string[] = [];
  const pending: Promise<void>[] = [];

  async function readable(ids: number[], model: 'patient' | 'thread', scope: Record<string, unknown> | undefined, deletedToo = false) {
    if (!scope || !ids.length) return new Set(ids); // no scope: staff read everything
    // a soft-deleted patient hides its data from everyone but staff (the patients module's rule)
    const live = model === 'patient' && !deletedToo ? { deleted_at: null } : {};
    const rows = await (app.db[model] as any).findMany({ where: { id: { in: ids }, ...live, AND: [scope] }, select: { id: true } });
    return new Set<number>(rows.map((r: { id: number }) => r.id));
  }

  /** the clinical findings the caller may not receive, as problem lines */
  async function clinicalProblems(req: Request, label: string, found: ClinicalFinding[], path: string | undefined) {
    const out: string[] = [];
    const byPatient = found.filter((f) => positive(f.patient));
    const byThread = found.filter((f) => !positive(f.patient) && positive(f.thread));
    for (const f of found) if (!positive(f.patient) && !positive(f.thread)) out.push(`${label}: clinical field ${f.field} names no patient (x-patient-id) or thread`);
    // except in the managing account's own data export, which includes its soft-deleted patients (UU PDP)
    const exported = path === '/users/data/export';
    const patients = await readable([...new Set(byPatient.map((f) => f.patient as number))], 'patient', patientReadScope(req.user), exported);
    const threads = await readable([...new Set(byThread.map((f) => f.thread as number))], 'thread', threadScope(req.user));
    const who = `user ${req.user?.id ?? 'anonymous'}`;
    for (const f of byPatient) if (!patients.has(f.patient as number)) out.push(`${label}: clinical field ${f.field} of patient ${f.patient} sent to ${who}, who may not read that patient`);
    for (const f of byThread) if (!threads.has(f.thread as number)) out.push(`${label}: clinical field ${f.field} of thread ${f.thread} sent to ${who}, who may not read that thread`);
    return out;
  }

  function refuse(send: (body: unknown) => Response, res: Response, lines: string[]) {
    problems.push(...lines);
    res.status(500);
    return send({ status: 500, message: `Response does not match openapi.json: ${lines.join('; ').slice(0, 2000)}` });
  }

  const handler: RequestHandler = (req: Request, res: Response, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const def = res.locals.route as RouteDef | undefined;
      const method = req.method.toLowerCase();
      const label = `${req.method} ${def?.path ?? req.path} → ${res.statusCode}`;
      let errors: unknown;
      if (res.statusCode >= 400) {
        if (req.path !== '/health' && !errorValidator(body)) errors = errorValidator.errors;
      } else if (def) {
        const validate = validatorFor(def, method);
        if (!validate) errors = [{ message: 'the route documents no JSON response' }];
        else if (!validate(body)) errors = validate.errors;
        else {
          const found: ClinicalFinding[] = [];
          clinicalObjects(body, successSchema(def, method), found);
          if (found.length) {
            // checked against the database as it is now, before the answer leaves (later requests may change who may read what)
            pending.push(
              clinicalProblems(req, label, found, def.path).then(
                (lines) => void (lines.length ? refuse(send, res, lines) : send(body)),
                (err) => void refuse(send, res, [`${label}: clinical check failed: ${String(err)}`]),
              ),
            );
            return res;
          }
        }
      }
      if (errors) return refuse(send, res, [`${label}: ${JSON.stringify(errors).slice(0, 2000)}`]);
      return send(body);
    };
    next();
  };

  return {
    handler,
    /** every problem seen so far (after the pending clinical checks) */
    async problems() {
      await Promise.all(pending.splice(0));
      return [...problems];
    },
  };
}
