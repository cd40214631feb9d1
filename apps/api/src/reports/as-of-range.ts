import { asOfProblem, parseTimestampUs } from '@store-monitoring/reports';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/**
 * Refuses an `as_of` the data cannot answer honestly (400 naming the latest observation and the
 * retained range): the same rule for reports, timelines and histories.
 */
export async function assertAsOfInRange(app: FastifyInstance, asOf: string): Promise<void> {
  const asOfUs = parseTimestampUs(asOf);
  if (asOfUs === null) throw new ApiError(400, `as_of is not an ISO-8601 instant: ${asOf}`);
  const version = await app.dataStatusRepository.latestVersion();
  if (!version) return;
  const problem = asOfProblem(asOfUs, version, app.config.AS_OF_MAX_AHEAD_SECONDS * 1_000_000);
  if (problem) throw new ApiError(400, problem);
}
