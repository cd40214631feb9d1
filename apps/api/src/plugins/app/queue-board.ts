import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from '../../errors.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * bull-board over the four queues at /admin/queues (behind the API key when one is set). Its API calls
 * would wait for Redis indefinitely, so they answer 503 at once while Redis is down.
 */
async function queueBoardPlugin(app: FastifyInstance): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: app.jobQueues.boardQueues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Store Monitoring queues' } },
  });
  await app.register(
    async (board) => {
      board.addHook('onRequest', async (request, reply) => {
        if (!request.url.startsWith(`${QUEUE_BOARD_PATH}/api/`) || app.isRedisReady()) return;
        return reply.code(503).type('application/json; charset=utf-8').send(errorBody(request, 503, 'Redis is unavailable; the queue board cannot read the queues'));
      });
      await board.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    },
  );
}

export default fp(queueBoardPlugin, { name: 'queue-board', dependencies: ['queues'] });
