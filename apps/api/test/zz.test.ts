import { startTestApi } from './support/test-api.js';
it('x', async () => { const api = await startTestApi('zz', { LOG_LEVEL: 'error' }); 
for (const url of ['/api/reports?offset=1e309', '/\\', '/api/reports?limit=1e309']) { const r = await api.app.inject({ method: 'GET', url }); console.log(url, r.statusCode, r.body); }
await api.close(); });
