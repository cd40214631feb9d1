export { createLogger, redactUrl, redactedPaths, type Logger, type LoggerSettings } from './create-logger.js';
