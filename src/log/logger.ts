import { Writable } from 'node:stream';
import winston from 'winston';
import { redactField, redactText } from './redactor.js';

export type Logger = winston.Logger;

/** Every field and the message pass through the redactor before formatting. */
const redactFormat = winston.format((info) => {
  const out = info as winston.Logform.TransformableInfo & Record<string, unknown>;
  for (const key of Object.keys(out)) {
    if (key === 'level' || key === 'timestamp') continue;
    // Top-level fields are judged by name too: `{ chief: … }` is as personal as a nested one.
    out[key] = key === 'message' && typeof out[key] === 'string' ? redactText(out[key] as string) : redactField(key, out[key]);
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
  const format = winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.json());
  const main = opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console();
  if (!tap) return winston.createLogger({ level: opts.level, silent: opts.silent, format, transports: [main] });
  // Tapped: every level reaches the tap; the real transport keeps the configured level and silence.
  main.level = opts.level;
  main.silent = opts.silent ?? false;
  return winston.createLogger({ level: 'silly', format, transports: [main, tapStream(tap)] });
}

/** Receives each formatted (redacted) log line. */
export type LogTap = (line: string) => void;
let tap: LogTap | undefined;

/**
 * Test only: loggers created after this also hand every line, of any level and even when silent,
 * to `t` (the privacy check over the whole test suite). Undefined turns it off for new loggers.
 * Returns the tap it replaces.
 */
export function setLogTap(t: LogTap | undefined): LogTap | undefined {
  const previous = tap;
  tap = t;
  return previous;
}

function tapStream(sink: LogTap): winston.transport {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      sink(String(chunk));
      done();
    },
  });
  return new winston.transports.Stream({ stream, level: 'silly' });
}

/** A logger that writes nothing; for unit tests of modules that take a logger. */
export function silentLogger(): Logger {
  return createLogger({ level: 'error', silent: true });
}
