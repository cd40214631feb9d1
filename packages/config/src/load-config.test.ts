import { Type } from 'typebox';
import { ConfigError, loadConfig } from './load-config.js';
import { databaseEnv, loggingEnv } from './env-fields.js';

const schema = Type.Object({ ...databaseEnv, ...loggingEnv, PORT: Type.Integer({ default: 3000, minimum: 1, maximum: 65535 }) });

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(schema, { PORT: '8080' });
    expect(config.PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toMatch(/^postgres:/);
  });

  it('lists every bad variable in one error and hides passwords', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://u:hunter2@h/db' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('leaves an optional variable without a default unset, and still checks it when set', () => {
    const withOptional = Type.Object({ SIZE: Type.Optional(Type.Integer({ minimum: 1 })) });
    expect(loadConfig(withOptional, {})).toEqual({});
    expect(loadConfig(withOptional, { SIZE: '4' })).toEqual({ SIZE: 4 });
    expect(() => loadConfig(withOptional, { SIZE: '0' })).toThrow(ConfigError);
  });
});
