/**
 * A command under test run as a child process, as a user or a service manager runs it: its
 * output collected and waited on, its processes found and checked for being gone, its ports tried.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { keepLine } from './logs';

/** A log line as a child writes it (runtime/log.ts): JSON, or pretty under npm start; banners and usage texts are not. */
const CHILD_LOG_LINE = /^(?:\{"level":"\w+"|\[\d\d:\d\d:\d\d\.\d{3}\] (?:FATAL|ERROR|WARN|INFO|DEBUG|TRACE):)/;

export interface WatchedChild {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** The first match of `pattern` in its output, waited for; rejects with the output after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Its exit code and when it came (performance.now()). */
  exited: Promise<{ code: number | null; at: number }>;
}

export function watchChild(child: ChildProcess, defaultTimeoutMs: number): WatchedChild {
  let output = '';
  const streams = [child.stdout!, child.stderr!];
  for (const stream of streams) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
  // The child's log lines are the suite's too: the log witness judges them (logWitness.ts).
  child.on('close', () => {
    for (const line of output.split('\n')) if (CHILD_LOG_LINE.test(line)) keepLine(line);
  });
  const waitFor = (pattern: RegExp, timeoutMs = defaultTimeoutMs) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        for (const stream of streams) stream.off('data', check);
        reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`));
      }, timeoutMs);
      function check() {
        const match = pattern.exec(output);
        if (!match) return;
        clearTimeout(timer);
        for (const stream of streams) stream.off('data', check);
        resolve(match);
      }
      // After the collecting listener, so `output` already holds the chunk that matches.
      for (const stream of streams) stream.on('data', check);
      check();
    });
  return { output: () => output, waitFor, exited };
}

/** The processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Running, that is: a zombie (exited, its orphaned entry not yet reaped by init) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves when `pid` is gone, or rejects after `timeoutMs`. */
export async function gone(pid: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (isAlive(pid)) {
    if (performance.now() > until) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether something accepts connections at the URL's host and port. */
export function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
