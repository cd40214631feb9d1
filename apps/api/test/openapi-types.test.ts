import { readFile } from 'node:fs/promises';
import { DASHBOARD_SCHEMA_PATH, dashboardSchemaSource } from '../src/openapi-types.js';

/**
 * The dashboard's API types are generated from the OpenAPI document; a route whose schema changed
 * without regenerating them (`pnpm --filter @store-monitoring/api openapi:types`) fails here.
 */
describe("the dashboard's generated API types", () => {
  it('match the OpenAPI document the routes describe', async () => {
    const committed = await readFile(DASHBOARD_SCHEMA_PATH, 'utf8');
    expect(committed === (await dashboardSchemaSource())).toBe(true);
  }, 60_000);
});
