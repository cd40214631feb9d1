import { type Static, type TObject, type TProperties } from 'typebox';
import { Value } from 'typebox/value';

/** Raised once at start-up, naming every variable that is missing or invalid. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment against an app's schema: defaults applied, strings converted to
 * numbers/booleans, and every problem reported together so an operator fixes them in one pass.
 */
export function loadConfig<T extends TProperties>(
  schema: TObject<T>,
  env: Record<string, string | undefined> = process.env,
): Static<TObject<T>> {
  const known = Object.fromEntries(
    Object.keys(schema.properties)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const value = Value.Convert(schema, Value.Default(schema, known));
  // Check each variable on its own so one bad value cannot hide another. An optional one that is
  // not set has nothing to check.
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const errors = Object.entries(schema.properties).flatMap(([key, property]) =>
    (value as Record<string, unknown>)[key] === undefined && !required.has(key)
      ? []
      : Value.Errors(property, (value as Record<string, unknown>)[key])
      .slice(0, 1)
      .map((error) => ({ ...error, instancePath: `/${key}` })),
  );
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const key = error.instancePath.replace(/^\//, '') || missingKey(error.params);
      const raw = key ? env[key] : undefined;
      const shown = raw === undefined ? 'not set' : `got ${JSON.stringify(redact(key, raw))}`;
      return `${key || '(root)'}: ${error.message} (${shown})`;
    });
    throw new ConfigError(problems);
  }
  return value as Static<TObject<T>>;
}

function missingKey(params: object): string {
  const required = (params as { requiredProperties?: string[] }).requiredProperties;
  return required?.join(', ') ?? '';
}

function redact(key: string, value: string): string {
  if (/KEY|SECRET|PASSWORD|TOKEN/i.test(key)) return '***';
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/**
 * A process's configuration at start, or exit 1 with every bad setting named (no stack trace: the
 * operator's to fix). The one start-up step every process's `main.ts` shares.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
