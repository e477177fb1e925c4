import { z } from 'zod';

/**
 * Building blocks for response schemas. Every route declares what it answers; the OpenAPI
 * document is generated from these schemas, and the test suite validates every answer against
 * that document (objects are closed: a field not declared here is a failure, never a leak).
 */

export const int = z.number().int();
/** formatted date or date-time (the document's `dd/mm/yyyy HH:mm`), null when unset */
export const when = z.string().nullable();
export const str = z.string();
export const num = z.number();
export const flag = z.union([z.literal(0), z.literal(1)]);

/**
 * Health data (diagnoses, complaints, allergies, prescriptions…). The suite checks that a field
 * marked clinical reaches only clinical staff or the patient's own account (see `patientRef`).
 */
export const clinical = <T extends z.ZodType>(schema: T) => schema.meta({ 'x-clinical': true }) as T;

/**
 * An object carrying clinical fields names where its patient's id is (`id_patients`, `id` for the
 * patient itself, or a dotted path such as `patients.id`), so the suite can tell whose data it is.
 * A consultation message names its thread too: a thread without a patient (a prescription request,
 * id_patients 0) holds its participants' own data, readable by whoever may read the thread.
 */
export const patientRef = <T extends z.ZodObject<any>>(schema: T, field: string, options: { thread?: string } = {}) =>
  schema.meta({ 'x-patient-id': field, ...(options.thread ? { 'x-thread-id': options.thread } : {}) }) as T;

/** `{ "<key>": item }`, the envelope of single answers */
export const one = (key: string, item: z.ZodType) => z.object({ [key]: item });
/** `{ "<key>": [item] }`, the envelope of search answers */
export const many = (key: string, item: z.ZodType) => z.object({ [key]: z.array(item) });

/** explore: the document's paged envelope */
export const page = (item: z.ZodType) =>
  z.object({
    page: int,
    totalpage: int,
    length: int,
    displayed: int,
    anchor: z.array(z.object({ page: int })),
    totaldata: int,
    data: z.array(item),
  });

/** one DataTables cell: what a column prints */
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Which cells of a table row are health data, and which cell names whose data it is (the patient's
 * id, or for consultation messages the thread's id): the suite checks tables like objects.
 */
export interface ClinicalCells {
  clinical: number[];
  patient?: number;
  thread?: number;
}

/** the DataTables server-side answer, rows of exactly `columns` cells */
export const dataTable = (columns: number, cells?: ClinicalCells) => {
  const schema = z.object({
    draw: int,
    recordsTotal: int,
    recordsFiltered: int,
    data: z.array(z.array(cell).length(columns)),
  });
  if (!cells?.clinical.length) return schema;
  return schema.meta({
    'x-clinical-columns': cells.clinical,
    ...(cells.patient !== undefined && cells.patient >= 0 ? { 'x-patient-column': cells.patient } : {}),
    ...(cells.thread !== undefined && cells.thread >= 0 ? { 'x-thread-column': cells.thread } : {}),
  });
};

export const deleted = z.object({ deleted: z.literal(true) });
/** `{ "<action>": true }`, the answer of a state action */
export const done = (key: string) => z.object({ [key]: z.literal(true) });
