import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { createRedactor } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Default: pretty when stdout is a terminal, JSON otherwise. */
  format?: 'json' | 'pretty';
  /** Raw secret values to scrub from every line. */
  secrets?: Iterable<string>;
  /** Where lines go; stdout by default. */
  destination?: { write(line: string): unknown };
}

/** The hub's logger: pino, JSON by default, every line scrubbed of secrets before it is written. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = createRedactor(options.secrets ?? []);
  const pretty = (options.format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const sink = options.destination ?? (pretty ? pinoPretty({ colorize: process.stdout.isTTY, destination: 1, sync: true }) : process.stdout);
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      // Header and credential fields are dropped by name as well, whatever their value.
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.password', '*.accessToken', '*.apiKey', '*.secret', 'headers.authorization', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    { write: (line: string) => sink.write(redact(line)) },
  );
}
