/**
 * The command line's log: lines on stderr prefixed `switchyard:`, filtered by level. No logging
 * library: four levels and one sink are all a development server needs.
 */
import type { LogLevel } from './options.js';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export class Logger {
  constructor(
    readonly level: LogLevel,
    private readonly write: (line: string) => void = (line) => void process.stderr.write(line),
  ) {}

  /** Would a line at `level` be written? */
  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  error(message: string): void {
    this.log('error', message);
  }

  warn(message: string): void {
    this.log('warn', message);
  }

  info(message: string): void {
    this.log('info', message);
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  private log(level: LogLevel, message: string): void {
    if (RANK[level] <= RANK[this.level]) this.write(`switchyard: ${message}\n`);
  }
}

/** An error as one readable piece of text: its stack when it has one (a bug), else its message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
