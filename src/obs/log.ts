import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino masks wherever they appear in a log object. Secrets never reach a log line;
 * personal data is masked by the code that logs it (see core/privacy).
 */
export const REDACT_PATHS = [
  'secret', '*.secret', 'secretKey', '*.secretKey', 'password', '*.password',
  'token', '*.token', 'accessToken', '*.accessToken', 'clientSecret', '*.clientSecret',
  'authorization', '*.authorization', 'headers.authorization', 'headers["x-shopify-access-token"]',
  'headers["x-hash"]', 'databaseUrl', '*.databaseUrl',
];

export interface LogOptions {
  level?: string;
  /** Pretty output; defaults to true on a TTY. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a stream). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.KOPPEL_LOG_LEVEL ?? 'info';
  const base: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'koppel' },
  };
  const pretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' } } });
  }
  return opts.destination ? pino(base, opts.destination as pino.DestinationStream) : pino(base);
}

/** A logger that discards everything (tests, library use without logging). */
export const silentLogger: Logger = pino({ level: 'silent' });
