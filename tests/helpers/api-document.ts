import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RouteDef } from '../../src/http/route.js';

// The API document (shared/spec/colederma-api-doc.txt) read as sections: the contract tests check
// the route table against its samples, the sample fuzz sends its request samples.

export function readDocument(): string {
  const candidates = [path.resolve('../shared/spec/colederma-api-doc.txt'), '/work/shared/spec/colederma-api-doc.txt', path.resolve('shared/spec/colederma-api-doc.txt')];
  for (const file of candidates) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // next candidate
    }
  }
  throw new Error('the API document (shared/spec/colederma-api-doc.txt) was not found');
}

export interface Section {
  methods: string[];
  /** the document's path, `{?}` as `:p` and without its query */
  path: string;
  request?: unknown;
  response?: unknown;
  tableSpecs?: string[];
}

/** The first JSON value in `text`, read leniently (the document's samples carry `//` notes and trailing commas). */
function firstJson(text: string): unknown {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) {
      const json = text.slice(start, i + 1).replace(/\/\/[^\n"]*$/gm, '').replace(/,\s*([}\]])/g, '$1');
      try {
        return JSON.parse(json);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function sections(doc: string): Section[] {
  const head = /([a-z_]+(?:\/[A-Za-z0-9_{}?:.-]+)*(?:\?[^\s[]*)?) \[([A-Z,]+)\]/g;
  const found = [...doc.matchAll(head)];
  return found.map((m, i) => {
    const text = doc.slice(m.index! + m[0].length, found[i + 1]?.index ?? doc.length);
    const [before, after] = text.split(/JSON R\w*sponse(?: \([^)]*\))?/);
    const specs = text.indexOf('Table Specs');
    return {
      methods: m[2]!.toLowerCase().split(','),
      path: `/${m[1]!.replace(/\{\?\}/g, ':p').replace(/\?.*$/, '')}`,
      request: /JSON Request/.test(before!) ? firstJson(before!) : undefined,
      response: after === undefined ? undefined : firstJson(after),
      tableSpecs: specs < 0 ? undefined : [...text.slice(specs).matchAll(/"?([a-z_0-9]+)"?,?\s*\/\/\s*\d+/g)].map((c) => c[1]!),
    };
  });
}

const segments = (p: string) => p.split('/').filter(Boolean);

/** The route answering a documented path: literal segments must match, parameters match anything. */
export function routeOf(defs: RouteDef[], docPath: string) {
  const want = segments(docPath);
  return defs
    .filter((d) => {
      const have = segments(d.path);
      return have.length === want.length && have.every((s, i) => s.startsWith(':') || s.toLowerCase() === want[i]!.toLowerCase());
    })
    .sort((a, b) => segments(a.path).filter((s) => s.startsWith(':')).length - segments(b.path).filter((s) => s.startsWith(':')).length)[0];
}

