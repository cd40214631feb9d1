import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApi, type TestApi } from './support/test-api.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; example?: unknown; examples?: unknown; schema?: { example?: unknown; examples?: unknown; default?: unknown } }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown; example?: unknown; examples?: Record<string, { summary?: string; value: unknown }> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: { examples?: unknown[] }; examples?: Record<string, unknown>; example?: unknown }> }>;
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }> };
};

/** Every route of the HTTP contract, as the document must list it. */
const CONTRACT = [
  ['post', '/api/trigger_report'],
  ['get', '/api/get_report'],
  ['post', '/api/reports'],
  ['get', '/api/reports'],
  ['get', '/api/reports/{id}'],
  ['get', '/api/reports/{id}/csv'],
  ['head', '/api/reports/{id}/csv'],
  ['get', '/api/data/status'],
  ['post', '/api/data/refresh'],
  ['get', '/api/data/runs/{id}'],
  ['get', '/api/stores/{store_id}/timeline'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
  ['get', '/metrics'],
] as const;

describe('OpenAPI document at /docs/json', () => {
  let api: TestApi;
  let document: Document;
  beforeAll(async () => {
    api = await startTestApi('openapi');
    const response = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('passes the Redocly linter (recommended rules), offline', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        // A private service: no licence to name.
        'info-license': 'off',
        // Health checks and /metrics answer 200 or 503, never a 4xx.
        'operation-4xx-response': 'off',
        // Paths are relative to wherever the API is served.
        'no-empty-servers': 'off',
      },
    });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer ?? '?'}`)).toEqual([]);
  });

  it('gives every operation its own operationId (GET and HEAD of the CSV download are two)', () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.paths['/api/reports/{id}/csv']!.get!.operationId).toBe('downloadReportCsv');
    expect(document.paths['/api/reports/{id}/csv']!.head!.operationId).toBe('downloadReportCsv-head');
  });

  it('prefills no report id that does not exist: a person pastes the id the trigger answered', () => {
    for (const [method, path] of [['get', '/api/get_report'], ['get', '/api/reports/{id}'], ['get', '/api/reports/{id}/csv'], ['head', '/api/reports/{id}/csv']] as const) {
      const parameter = document.paths[path]![method]!.parameters!.find((candidate) => candidate.name === 'report_id' || candidate.name === 'id')!;
      expect({ path, method, prefilled: [parameter.example, parameter.examples, parameter.schema?.example, parameter.schema?.examples, parameter.schema?.default] }).toEqual({
        path,
        method,
        prefilled: [undefined, undefined, undefined, undefined, undefined],
      });
    }
  });

  it('offers named, summarised body examples, among them carry_forward and as_of', () => {
    for (const path of ['/api/trigger_report', '/api/reports']) {
      const media = document.paths[path]!.post!.requestBody!.content['application/json']!;
      const examples = media.examples ?? {};
      expect(Object.keys(examples)).toEqual(expect.arrayContaining(['defaults', 'carry_forward', 'as_of']));
      expect(Object.keys(examples).filter((name) => /^example\d+$/.test(name))).toEqual([]);
      for (const example of Object.values(examples)) expect(example.summary).toMatch(/\w{3,}/);
      expect(examples.carry_forward!.value).toEqual({ interpolation: 'carry_forward' });
      expect(examples.as_of!.value).toEqual({ as_of: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    }
  });

  it('documents every route of the contract with tags, and nothing internal', () => {
    for (const [method, path] of CONTRACT) {
      const operation = document.paths[path]?.[method];
      expect({ method, path, documented: operation !== undefined }).toEqual({ method, path, documented: true });
      expect(operation!.tags?.length).toBeGreaterThan(0);
    }
    const documented = Object.keys(document.paths);
    expect(documented.filter((path) => path.startsWith('/admin') || path.startsWith('/docs'))).toEqual([]);
  });

  it('offers the operator key and owner keys in Swagger UI and requires one on the /api routes only', () => {
    expect(document.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      ownerKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      ownerBearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    // Operator routes offer the operator's key alone.
    expect(document.paths['/api/owners']!.post!.security).toEqual([{ apiKey: [] }, { bearerAuth: [] }]);
    expect(document.paths['/api/trigger_report']!.post!.security).toEqual([{ apiKey: [] }, { bearerAuth: [] }, { ownerKey: [] }, { ownerBearer: [] }]);
    for (const [method, path] of CONTRACT) {
      const secured = (document.paths[path]![method]!.security ?? []).length > 0;
      expect({ path, secured }).toEqual({ path, secured: path.startsWith('/api/') });
    }
  });

  it('lets Swagger UI trigger with no body and download the CSV', () => {
    const trigger = document.paths['/api/trigger_report']!.post!;
    expect(trigger.requestBody?.required).toBe(false);
    expect(Object.keys(trigger.requestBody!.content)).toEqual(['application/json']);
    const poll = document.paths['/api/get_report']!.get!;
    expect(poll.parameters).toEqual([expect.objectContaining({ name: 'report_id', in: 'query' })]);
    expect(Object.keys(poll.responses['200']!.content!).sort()).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(poll.responses).sort()).toEqual(['200', '304', '400', '401', '404', '410', '429', '503']);
    expect(Object.keys(document.paths['/api/reports/{id}/csv']!.get!.responses['200']!.content!)).toEqual(['text/csv']);
  });

  it('gives examples and descriptions for the answers a person reads in Swagger UI', () => {
    const media = (path: string, method: string, status: string, type = 'application/json') => document.paths[path]![method]!.responses[status]!.content![type]!;
    const exampleCount = (path: string, method: string, status: string, type?: string) => {
      const entry = media(path, method, status, type);
      return (entry.schema?.examples?.length ?? 0) + Object.keys(entry.examples ?? {}).length + (entry.example === undefined ? 0 : 1);
    };
    expect(exampleCount('/api/trigger_report', 'post', '200')).toBeGreaterThan(0);
    expect(exampleCount('/api/get_report', 'get', '200')).toBeGreaterThan(0);
    expect(exampleCount('/api/get_report', 'get', '200', 'text/csv')).toBeGreaterThan(0);
    expect(exampleCount('/api/data/status', 'get', '200')).toBeGreaterThan(0);
    expect(exampleCount('/api/stores/{store_id}/timeline', 'get', '200')).toBeGreaterThan(0);
    for (const [method, path] of CONTRACT) {
      for (const [status, response] of Object.entries(document.paths[path]![method]!.responses)) {
        expect({ path, status, description: response.description }).not.toEqual({ path, status, description: 'Default Response' });
      }
    }
  });
});
