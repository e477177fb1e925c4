import { z } from 'zod';
import { methodsOf, type RouteDef } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['status', 'message'],
  properties: {
    status: { type: 'integer' },
    message: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI 3.1, generated from the same route table and zod schemas that serve and validate requests. */
export function buildOpenApi(defs: RouteDef[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of defs) {
    const path = def.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...def.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: m[1] === 'id' || m[1]!.startsWith('id_') ? { type: 'integer', minimum: 1 } : { type: 'string' },
    }));
    if (def.query) {
      const q = jsonSchema(def.query, 'input') as { properties?: Record<string, unknown> };
      for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema } as never);
    }
    for (const method of methodsOf(def)) {
      const op: Record<string, unknown> = {
        operationId: `${method}_${def.path.replace(/[/:]+/g, '_').replace(/^_/, '')}`,
        summary: def.summary,
        tags: [def.tag ?? def.path.split('/')[1]],
        'x-access': def.access === 'public' || def.access === 'authenticated' ? def.access : [...def.access],
        parameters,
        responses: {
          '200': {
            description: 'OK',
            content: {
              ...(def.response ? { 'application/json': { schema: jsonSchema(def.response, 'output') } } : {}),
              ...Object.fromEntries((def.produces ?? []).map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
            },
          },
          default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
      if (def.access !== 'public') op.security = [{ bearer: [] }];
      if (def.upload) {
        const props: Record<string, unknown> = { [def.upload.field]: { type: 'string', format: 'binary' } };
        if (def.body) Object.assign(props, (jsonSchema(def.body, 'input') as { properties?: object }).properties ?? {});
        op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: props } } } };
      } else if (def.body && method !== 'get') {
        op.requestBody = { content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } };
      }
      (paths[path] ??= {})[method] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Colederma API', version: '1.0.0', description: 'Clinic, e-commerce and consultation API of Colederma.' },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { Error: errorSchema } },
    paths,
  };
}

export const docsPage = (specUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Colederma API</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}code{background:#f4f4f4;padding:0 .3em}
details{border-bottom:1px solid #ddd;padding:.3rem 0}summary{cursor:pointer}.m{display:inline-block;width:4.5em;font-weight:bold}</style></head>
<body><h1>Colederma API</h1><p>Machine-readable: <a href="${specUrl}">${specUrl}</a> (OpenAPI 3.1).</p><div id="ops">Loading…</div>
<script>
fetch(${JSON.stringify(specUrl)}).then(r=>r.json()).then(spec=>{
  const el=document.getElementById('ops'); el.textContent='';
  for (const [path, ops] of Object.entries(spec.paths)) for (const [m, op] of Object.entries(ops)) {
    const d=document.createElement('details'); const s=document.createElement('summary');
    s.innerHTML='<span class="m"></span><code></code> <span></span>';
    s.children[0].textContent=m.toUpperCase(); s.children[1].textContent=path; s.children[2].textContent=op.summary||'';
    const pre=document.createElement('pre'); pre.textContent=JSON.stringify({access: op['x-access'], requestBody: op.requestBody, parameters: op.parameters}, null, 2);
    d.append(s, pre); el.append(d);
  }
});
</script></body></html>`;
