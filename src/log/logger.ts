import winston from 'winston';
import { redact, redactText } from './redactor.js';

export type Logger = winston.Logger;

/** Every field and the message pass through the redactor before formatting. */
const redactFormat = winston.format((info) => {
  const out = info as winston.Logform.TransformableInfo & Record<string, unknown>;
  for (const key of Object.keys(out)) {
    if (key === 'level' || key === 'timestamp') continue;
    out[key] = key === 'message' && typeof out[key] === 'string' ? redactText(out[key] as string) : redact(out[key]);
  }
  return out;
});

export interface LoggerOptions {
  level: string;
  /** Extra transport, e.g. a capture stream in tests. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/**
 * JSON lines to stdout: timestamp, level, message and context fields (requestId, messageId,
 * client, service). Personal data is redacted by one shared redactor.
 */
export function createLogger(opts: LoggerOptions): Logger {
  return winston.createLogger({
    level: opts.level,
    silent: opts.silent,
    format: winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.json()),
    transports: [opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console()],
  });
}

/** A logger that writes nothing; for unit tests of modules that take a logger. */
export function silentLogger(): Logger {
  return createLogger({ level: 'error', silent: true });
}
