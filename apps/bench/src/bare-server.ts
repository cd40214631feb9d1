/**
 * The baseline of the polling benchmark: a bare Fastify route answering what a running report's
 * get_report answers, in a process of its own like the API. Prints its port on stdout.
 */
import Fastify from 'fastify';

const bare = Fastify();
bare.get('/ping', async () => ({ status: 'Running' }));
await bare.listen({ port: 0, host: '127.0.0.1' });
console.log(`listening on ${(bare.server.address() as { port: number }).port}`);
process.once('SIGTERM', () => {
  void bare.close().then(() => process.exit(0));
});
