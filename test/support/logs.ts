/**
 * The log lines this test process wrote (runtime/log.ts), as the log witness (logWitness.ts)
 * captured them: for tests that assert what was logged. Lines are kept from the start of the
 * current test file.
 */
import { writeSync } from 'node:fs';

/** One structured line, parsed. */
export interface LogLine {
  level: string;
  time: string;
  service: string;
  msg: string;
  component?: string;
  requestId?: string;
  traceId?: string;
  kind?: string;
  [field: string]: unknown;
}

interface Holder {
  /** The raw lines of the current file. */
  lines: string[];
  /** Where every line of the run is also appended (the run's folder, one file per process); -1: nowhere. */
  fd: number;
}

const key = Symbol.for('kommune-graph.test.logs');
const holder = ((globalThis as { [key]?: Holder })[key] ??= { lines: [], fd: -1 });

/** Keeps a line: for this file's tests and checks, and for the check over the whole run. */
export function keepLine(line: string): void {
  holder.lines.push(line);
  if (holder.fd >= 0) writeSync(holder.fd, line.endsWith('\n') ? line : `${line}\n`);
}

/** Where kept lines are appended from now on (logWitness.ts opens it once per process). */
export function keepLinesIn(fd: number): void {
  holder.fd = fd;
}

/** Whether lines are already being appended somewhere. */
export function keepingLines(): boolean {
  return holder.fd >= 0;
}

/** Starts a new file's lines (logWitness.ts, before each test file). */
export function startFileLines(): void {
  holder.lines.length = 0;
}

/** The raw lines of the current file so far. */
export function rawLines(): readonly string[] {
  return holder.lines;
}

/** A mark to read the lines written after it (`linesSince`). */
export function logMark(): number {
  return holder.lines.length;
}

/** The structured lines written since `mark` (default: the file's start). */
export function linesSince(mark = 0): LogLine[] {
  return holder.lines.slice(mark).flatMap((raw) => {
    try {
      return [JSON.parse(raw) as LogLine];
    } catch {
      return [];
    }
  });
}

/** The messages of the lines written since `mark`, optionally of one level or more severe. */
export function messagesSince(mark = 0, level?: 'error' | 'warn' | 'info' | 'debug'): string[] {
  const order = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
  const most = level ? order.indexOf(level) : order.length;
  return linesSince(mark)
    .filter((line) => order.indexOf(line.level) <= most)
    .map((line) => line.msg);
}
