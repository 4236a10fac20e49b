import { errorResponse, type JsonSchema } from './schemas.js'

/** What the OpenAPI document and the fastify route share: one declaration per route. */
export interface RouteSpec {
  id: string
  method: 'GET' | 'POST' | 'DELETE'
  /** fastify's form: path parameters as `:name` (documented as `{name}`) */
  url: string
  summary: string
  /** validated by fastify */
  querystring?: JsonSchema
  /** path parameters, validated by fastify */
  params?: JsonSchema
  body?: JsonSchema
  /** the documented request body, where validation is deliberately looser (see outcomeDoc) */
  bodyDoc?: JsonSchema
  /** success statuses: a JSON schema, or a content type for non-JSON answers */
  responses: Record<number, { description: string, schema?: JsonSchema, contentType?: string }>
  /** error statuses beyond the common ones (400, 401, 413, 500) */
  errors?: Record<number, string>
  /** answers without the bearer token (health checks) */
  public?: boolean
}

const JSON_TYPE = 'application/json'

function parameters (querystring: JsonSchema | undefined, where: 'query' | 'path' = 'query'): JsonSchema[] {
  if (querystring === undefined) return []
  const properties = querystring.properties as Record<string, JsonSchema>
  const required = new Set(querystring.required as string[] | undefined)
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema
    return { name, in: where, required: where === 'path' || required.has(name), ...(description === undefined ? {} : { description }), schema: rest }
  })
}

function errorStatuses (r: RouteSpec): Record<number, string> {
  const statuses: Record<number, string> = {}
  if (r.querystring !== undefined || r.body !== undefined || r.params !== undefined) statuses[400] = 'invalid input: the error names the field and the rule'
  if (r.public !== true) statuses[401] = 'a bearer token is in force and the request lacks it'
  statuses[403] = 'no token is in force and the request is not addressed to a loopback name (Host) or comes from a non-loopback Origin'
  if (r.body !== undefined) {
    statuses[413] = 'request body too large'
    statuses[415] = 'the body is not application/json'
  }
  return { ...statuses, ...r.errors, 500: 'internal error (details in the node log)' }
}

function operation (r: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {}
  for (const [status, res] of Object.entries(r.responses)) {
    responses[status] = {
      description: res.description,
      content: { [res.contentType ?? JSON_TYPE]: { schema: res.schema ?? { type: 'string' } } }
    }
  }
  for (const [status, description] of Object.entries(errorStatuses(r))) {
    responses[status] = { description, content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/Error' } } } }
  }
  const body = r.bodyDoc ?? r.body
  return {
    operationId: r.id,
    summary: r.summary,
    ...(r.querystring === undefined && r.params === undefined ? {} : { parameters: [...parameters(r.params, 'path'), ...parameters(r.querystring)] }),
    ...(body === undefined ? {} : { requestBody: { required: true, content: { [JSON_TYPE]: { schema: body } } } }),
    responses,
    ...(r.public === true ? { security: [] } : {})
  }
}

/**
 * An OpenAPI 3.1 document (JSON Schema 2020-12 types, so `type: [number, null]` is valid).
 * `serverUrl`: the address the API is served on (null before it listens).
 */
export function openApiDocument (routes: RouteSpec[], serverUrl: string | null = null): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}')
    paths[path] ??= {}
    paths[path][r.method.toLowerCase()] = operation(r)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hivebench node HTTP API',
      version: '1',
      description: 'Record coding-tool task outcomes and ask which tool is best. Listens on 127.0.0.1 by default; ' +
        'bound elsewhere (or given a token) every route but /healthz needs `Authorization: Bearer <token>` (the token is in <data dir>/http.token).'
    },
    servers: [{ url: serverUrl ?? '/' }],
    // every error answer has this one shape
    components: { schemas: { Error: errorResponse }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    // Either no token (loopback default) or the bearer token.
    security: [{}, { bearer: [] }],
    paths
  }
}
