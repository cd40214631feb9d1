// Writes the dashboard's API types from the API's OpenAPI document (no server, no database needed).
import { writeFile } from 'node:fs/promises';
import { DASHBOARD_SCHEMA_PATH, dashboardSchemaSource } from '../dist/openapi-types.js';

await writeFile(DASHBOARD_SCHEMA_PATH, await dashboardSchemaSource());
console.log(`wrote ${DASHBOARD_SCHEMA_PATH.pathname}`);
process.exit(0);
