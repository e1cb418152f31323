/**
 * @module admin/openapi — the OpenAPI 3 document of the HTTP server API, built from the same field
 * tables that drive the JSON codec (`api/schema.ts`), so it lists every method and field that the
 * server actually accepts and returns.
 */
import type { FieldKind, MessageSchema } from '../api/schema.js';
import { ErrorSchema, BatchRequestSchema, BatchResponseSchema, REQUEST_SCHEMAS, RESULT_SCHEMAS } from '../api/schema.js';

type Json = Record<string, unknown>;

const SUMMARIES: Record<string, string> = {
  publish: 'Publish data into a channel',
  broadcast: 'Publish the same data into many channels',
  subscribe: "Subscribe a user's connections to a channel (server-side subscription)",
  unsubscribe: 'Unsubscribe a user from a channel',
  disconnect: "Disconnect a user's connections",
  refresh: "Refresh a user's connection (expiry, info)",
  presence: 'Clients currently subscribed to a channel',
  presence_stats: 'Number of clients and unique users in a channel',
  history: 'Publications kept in a channel history stream',
  history_remove: "Remove a channel's history",
  channels: 'Active channels (with at least one subscriber) across all nodes',
  info: 'Nodes of the cluster with their counters and metrics',
  rpc: 'Server API RPC extension (none registered: 104 not found)',
  batch: 'Several commands in one request (sequential, or parallel)',
};

/** The JSON Schema of one field kind; `refs` collects the messages to define. */
function kindSchema(kind: FieldKind, refs: Map<string, MessageSchema>): Json {
  switch (kind.k) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'int32':
    case 'uint32':
      return { type: 'integer', format: 'int32', ...(kind.k === 'uint32' ? { minimum: 0 } : {}) };
    case 'int64':
    case 'uint64':
      return { type: 'integer', format: 'int64', ...(kind.k === 'uint64' ? { minimum: 0 } : {}) };
    case 'double':
      return { type: 'number', format: 'double' };
    case 'raw':
      return { description: 'any JSON value, passed through as is' };
    case 'enum':
      return { oneOf: [{ type: 'string', enum: Object.keys(kind.values) }, { type: 'integer' }] };
    case 'message': {
      const m = kind.msg();
      refs.set(m.name, m);
      return { $ref: `#/components/schemas/${m.name}` };
    }
    case 'repeated':
      return { type: 'array', items: kindSchema(kind.of, refs) };
    case 'map':
      return { type: 'object', additionalProperties: kindSchema(kind.of, refs) };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function messageSchema(m: MessageSchema, refs: Map<string, MessageSchema>): Json {
  const properties: Json = {};
  for (const f of m.fields) properties[f.name] = kindSchema(f.kind, refs);
  return { type: 'object', properties };
}

/** The document; `apiPrefix` is `api_handler_prefix` (the server URL of every path). */
export function buildOpenApi(version: string, apiPrefix: string): Json {
  const refs = new Map<string, MessageSchema>();
  const ref = (m: MessageSchema): Json => kindSchema({ k: 'message', msg: () => m }, refs);
  const schemas: Json = {};
  const paths: Json = {};
  const methods = [...Object.keys(REQUEST_SCHEMAS)] as Array<keyof typeof REQUEST_SCHEMAS>;
  for (const method of methods) {
    let response: Json;
    if (method === 'batch') {
      response = ref(BatchResponseSchema);
    } else {
      const name = `${REQUEST_SCHEMAS[method].name.replace(/Request$/, '')}Response`;
      schemas[name] = { type: 'object', properties: { error: ref(ErrorSchema), result: ref(RESULT_SCHEMAS[method]) } };
      response = { $ref: `#/components/schemas/${name}` };
    }
    paths[`/${method}`] = {
      post: {
        operationId: method,
        summary: SUMMARIES[method] ?? method,
        tags: ['Server API'],
        requestBody: { required: true, content: { 'application/json': { schema: method === 'batch' ? ref(BatchRequestSchema) : ref(REQUEST_SCHEMAS[method]) } } },
        responses: {
          '200': { description: 'Result, or an API error in `error` (see error codes)', content: { 'application/json': { schema: response } } },
          '400': { description: 'Body is not valid JSON for this request' },
          '401': { description: 'Missing or wrong API key' },
          '405': { description: 'Not a POST request' },
        },
      },
    };
  }
  // Resolve every referenced message (transitively).
  const done = new Set<string>();
  for (;;) {
    const next = [...refs.values()].find((m) => !done.has(m.name));
    if (next === undefined) break;
    done.add(next.name);
    schemas[next.name] ??= messageSchema(next, refs);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Rotor server API',
      version,
      description:
        "Centrifugo-compatible HTTP server API. Every method is `POST <api prefix>/<method>` with a JSON body. Errors come in the body's `error` (HTTP 200) unless `api_error_mode: transport` or the header `X-Centrifugo-Error-Mode: transport` maps them to HTTP statuses.",
    },
    servers: [{ url: apiPrefix === '/' ? '/' : apiPrefix }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
  };
}
