import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApi, type TestApi } from './support/test-api.js';

interface Operation {
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
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
