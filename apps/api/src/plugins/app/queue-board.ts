import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from '../../errors.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** bull-board's page links its fonts from Google's servers; without them it falls back to the system's fonts. */
const EXTERNAL_FONT_LINK = /<link\b[^>]*\bhref="https:\/\/fonts\.(?:googleapis|gstatic)\.com[^"]*"[^>]*>\s*/gi;

/** The board's page without links to fonts on the internet: it loads nothing but its own files. */
export function withoutExternalFonts(html: string): string {
  return html.replace(EXTERNAL_FONT_LINK, '');
}

/**
 * bull-board over the four queues at /admin/queues (behind the API key when one is set). Its API calls
 * would wait for Redis indefinitely, so they answer 503 at once while Redis is down. Its page loads
 * no font from the internet, so it works where only this server is reachable.
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
      board.addHook('onSend', async (_request, reply, payload) => {
        if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
        return withoutExternalFonts(payload);
      });
      await board.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    },
  );
}

export default fp(queueBoardPlugin, { name: 'queue-board', dependencies: ['queues'] });
