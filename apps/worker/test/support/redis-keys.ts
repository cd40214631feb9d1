export { TEST_REDIS_URL, assertRedisReachable, deleteQueuePrefix as deletePrefix } from '@store-monitoring/jobs/testing';
