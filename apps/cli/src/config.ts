import { dataEnv, databaseEnv, loadConfig, loggingEnv, Type, type Static } from '@store-monitoring/config';

/** The environment of the operator CLI; flags override DATA_DIR and DATA_SOURCE_URLS per run. */
export const cliEnvSchema = Type.Object({ ...databaseEnv, ...dataEnv, ...loggingEnv });

export type CliConfig = Static<typeof cliEnvSchema>;

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return loadConfig(cliEnvSchema, env);
}
