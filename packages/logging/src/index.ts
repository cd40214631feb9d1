export { createLogger, redactUrl, redactedPaths, serializeRequest, type Logger, type LoggerSettings } from './create-logger.js';
