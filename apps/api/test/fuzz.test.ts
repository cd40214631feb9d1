import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const KEY = 'fuzz-key-0123456789abcdefghij';

/** What a stack trace or an internal location looks like in a response. */
const LEAK = /\n\s+at [^\n]+\(|\bat [\w.<>]+ \([^)]*:\d+:\d+\)|node_modules|\/work\/|\.ts:\d+|file:\/\//;

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 });
const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), printable);
const nasty = fc.constantFrom('..', '../../etc/passwd', '%2e%2e%2f', '%00', '%', '%ZZ', '\u0000', ' ', '*', '"', "'", '<script>', '\uFEFF', 'a'.repeat(2_000), '0', '-1', '1e309', 'null', '[]', '{}');
const id = fc.oneof(fc.uuid(), nasty, anyText);
/** A path segment, usually encoded, sometimes raw (raw slashes and question marks change the route). */
const segment = fc.oneof(
  id.map((value) => encodeURIComponent(value)),
  // Backslashes and spaces would make inject itself refuse the URL before any request is made.
  id.map((value) => value.replace(/[\s#\\]/g, '')),
);
const queryKey = fc.oneof(fc.constantFrom('report_id', 'limit', 'offset', 'as_of', 'interpolation', 'days', 'search', 'api_key', '__proto__', 'constructor'), anyText);
const queryValue = fc.oneof(id, fc.constantFrom('nearest', 'carry_forward', '2023-01-25T18:13:22Z', '5', '1e3', '-0', '9999999999999999999999'), anyText);
const query = fc.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 }).map((pairs) =>
  pairs.map(([key, value, encoded]) => (encoded ? `${encodeURIComponent(key)}=${encodeURIComponent(value)}` : `${key.replace(/[\s#&]/g, '')}=${value.replace(/[\s#&]/g, '')}`)).join('&'),
);
const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=utf-16', 'text/csv', '*/*', ';'),
  printable,
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? ''),
  fc.record({ as_of: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), anyText, fc.integer()), interpolation: fc.oneof(fc.constantFrom('nearest', 'carry_forward'), anyText) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  anyText,
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"as_of":"2023-01-25T18:13:22Z"', '\u0000', '[]', '"x"', '1'),
);
const headers = fc.record(
  {
    'content-type': contentType,
    accept: fc.oneof(fc.constantFrom('application/json', 'text/csv', '*/*', 'application/json;q=0', 'text/csv;q=2, application/json;q=abc'), printable),
    'x-request-id': printable,
    authorization: fc.oneof(fc.constant(`Bearer ${KEY}`), fc.constant('Bearer '), printable),
    'x-api-key': fc.oneof(fc.constant(KEY), printable),
    'if-none-match': printable,
    'if-modified-since': fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()), printable),
    cookie: printable,
    range: printable,
  },
  { requiredKeys: [] },
);

interface RouteShape {
  name: string;
  method: fc.Arbitrary<InjectOptions['method']>;
  path: fc.Arbitrary<string>;
}

describe('fuzzing every route (fast-check over inject)', () => {
  let api: TestApi;
  let completeId: string;

  beforeAll(async () => {
    // Load shedding and the rate limit would answer for the fuzzer's own CPU use; they are tested elsewhere.
    api = await startTestApi('fuzz', { API_KEY: KEY, RATE_LIMIT_MAX: '1000000', BODY_LIMIT_BYTES: '4096' });
    completeId = (await insertCompleteReport(api, sampleCsv(['s,1.00,1.00,1.00,0.00,0.00,0.00']))).id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const routes: RouteShape[] = [
    { name: 'trigger_report', method: fc.constantFrom('POST'), path: fc.constant('/api/trigger_report') },
    { name: 'create report', method: fc.constantFrom('POST'), path: fc.constant('/api/reports') },
    { name: 'get_report', method: fc.constantFrom('GET', 'HEAD'), path: fc.constant('/api/get_report') },
    { name: 'list reports', method: fc.constantFrom('GET'), path: fc.constant('/api/reports') },
    { name: 'report metadata', method: fc.constantFrom('GET'), path: segment.map((value) => `/api/reports/${value}`) },
    { name: 'report csv', method: fc.constantFrom('GET', 'HEAD'), path: segment.map((value) => `/api/reports/${value}/csv`) },
    { name: 'data status', method: fc.constantFrom('GET'), path: fc.constant('/api/data/status') },
    { name: 'data refresh', method: fc.constantFrom('POST'), path: fc.constant('/api/data/refresh') },
    { name: 'data run', method: fc.constantFrom('GET'), path: segment.map((value) => `/api/data/runs/${value}`) },
    { name: 'store timeline', method: fc.constantFrom('GET'), path: segment.map((value) => `/api/stores/${value}/timeline`) },
    { name: 'store history', method: fc.constantFrom('GET'), path: segment.map((value) => `/api/stores/${value}/history`) },
    { name: 'history of all stores', method: fc.constantFrom('GET'), path: fc.constantFrom('/api/history', '/api/history/stores', '/api/me') },
    { name: 'owners', method: fc.constantFrom('GET', 'POST'), path: fc.constant('/api/owners') },
    { name: 'one owner', method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'), path: fc.tuple(fc.oneof(fc.uuid(), segment), fc.constantFrom('', '/stores', '/keys')).map(([owner, tail]) => `/api/owners/${owner}${tail}`) },
    { name: 'owner key', method: fc.constantFrom('DELETE'), path: fc.tuple(fc.oneof(fc.uuid(), segment), fc.oneof(fc.uuid(), segment)).map(([owner, key]) => `/api/owners/${owner}/keys/${key}`) },
    { name: 'health', method: fc.constantFrom('GET', 'HEAD'), path: fc.constantFrom('/health/live', '/health/ready') },
    { name: 'metrics and docs', method: fc.constantFrom('GET'), path: fc.constantFrom('/metrics', '/docs/json', '/docs/yaml') },
    { name: 'queue board', method: fc.constantFrom('GET', 'PUT', 'POST'), path: fc.array(segment, { maxLength: 3 }).map((parts) => `/admin/queues/api/${parts.join('/')}`) },
    { name: 'anywhere', method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), path: fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`) },
  ];

  it.each(routes.map((route) => [route.name, route] as const))('%s: never a 5xx, never a stack trace', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(route.method, route.path, query, headers, body, fc.boolean(), async (method, path, queryString, requestHeaders, payload, withReportId) => {
        const search = withReportId ? `report_id=${completeId}&${queryString}` : queryString;
        const options: InjectOptions = { method, url: search ? `${path}?${search}` : path, headers: requestHeaders };
        if (payload !== undefined && method !== 'GET' && method !== 'HEAD') options.payload = payload;
        const response = await api.app.inject(options);
        expect({ status: response.statusCode, body: response.body.slice(0, 300) }).toEqual({ status: expect.any(Number), body: expect.any(String) });
        if (response.statusCode >= 500 || LEAK.test(response.body)) {
          throw new Error(`${method} ${options.url} answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 120) },
    );
  });
});
