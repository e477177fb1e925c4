import type { Response } from 'express';
import { z } from 'zod';
import { MAX_TABLE_LENGTH, normalizeTableRequest } from '../../http/resource.js';
import * as r from '../../http/response.js';

/** Most rows a `?format=csv` export returns (a spreadsheet, not a backup). */
const CSV_MAX_ROWS = 100_000;

export const formatQuery = z.object({ format: z.enum(['json', 'csv']).default('json') }).loose();

/** A DataTables request, read as the resource machinery reads it; CSV asks for every row. */
export function tableWindow(raw: Record<string, unknown>, csv: boolean) {
  const t = normalizeTableRequest(raw);
  const take = csv ? CSV_MAX_ROWS : t.length === -1 ? MAX_TABLE_LENGTH : Math.min(t.length, MAX_TABLE_LENGTH);
  return { ...t, start: csv ? 0 : t.start, take, search: t.search.trim() };
}

/** The DataTables answer of a report or dashboard table: rows of exactly these cells, in this order. */
export const tableOf = (cells: readonly z.ZodType[]) =>
  z.object({
    draw: r.int,
    recordsTotal: r.int,
    recordsFiltered: r.int,
    data: z.array(z.tuple(cells as [z.ZodType, ...z.ZodType[]])),
  });

export interface TableResult {
  draw: number;
  recordsTotal: number;
  recordsFiltered: number;
  data: unknown[][];
}

/** A text a spreadsheet would run as a formula: it starts with = + - @, a tab or a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** a number written as text (a signed amount), which a spreadsheet reads as a number, not a formula */
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)*$/;

/**
 * RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF lines.
 * Texts that would start a formula get a leading apostrophe (OWASP's advice on CSV injection):
 * the names in these reports are typed by customers (orderer, patient, account) and the file is
 * opened by the owner in Excel or Sheets, where `=HYPERLINK(…)` would otherwise run.
 */
export function toCsv(header: readonly string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Answers a table either as the DataTables JSON envelope or as a CSV download. */
export function sendTable(res: Response, format: 'json' | 'csv', name: string, header: readonly string[], result: TableResult) {
  if (format === 'json') return result;
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  // the byte order mark tells Excel the file is UTF-8 (without it Excel reads names with accents
  // or non-Latin letters as Windows-1252); Sheets, LibreOffice and CSV parsers skip it
  res.send(`\uFEFF${toCsv(header, result.data)}`);
  return undefined;
}

/**
 * In-memory search/sort/page over already aggregated rows (groups are bounded by the catalogue).
 * `unsortable`: computed columns (picture URLs), ignored in `order` as in the resource tables.
 */
export function pageRows(rows: unknown[][], t: ReturnType<typeof tableWindow>, searchable: number[], draw: number, unsortable: number[] = []): TableResult {
  const needle = t.search.toLowerCase();
  const filtered = needle ? rows.filter((r) => searchable.some((i) => String(r[i] ?? '').toLowerCase().includes(needle))) : [...rows];
  const order = t.order.filter((o) => o.column < (rows[0]?.length ?? Infinity) && !unsortable.includes(o.column));
  if (order.length) {
    filtered.sort((a, b) => {
      for (const o of order) {
        const x = a[o.column] as number | string;
        const y = b[o.column] as number | string;
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        if (c) return o.dir === 'asc' ? c : -c;
      }
      return 0;
    });
  }
  return { draw, recordsTotal: rows.length, recordsFiltered: filtered.length, data: filtered.slice(t.start, t.start + t.take) };
}

