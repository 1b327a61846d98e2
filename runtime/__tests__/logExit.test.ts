/**
 * An exit through flushLogs (runtime/shutdown.ts exits so) leaves every line on stdout in the
 * order written. The exit-time flush alone does not: with libuv's thread pool busy, a write
 * already under way came out after the lines flushed at exit (3 of 5 runs, found while fixing
 * "Stopped." printed before "stopping gateway…").
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CHILD = `
import { pbkdf2 } from 'node:crypto';
import { flushLogs, logger } from './runtime/log.ts';
const log = logger({ component: 'exit-order' });
const pad = 'x'.repeat(2000);
for (let i = 0; i < 500; i++) log.info({ i, pad }, 'line');
// Keep every thread of the pool busy, so the write under way waits its turn.
for (let k = 0; k < 4; k++) pbkdf2('key', 'salt', 100000, 32, 'sha256', () => {});
setTimeout(() => {
  log.info({ i: 500 }, 'line');
  log.info('last');
  void flushLogs().then(() => process.exit(0));
}, 1);
`;

async function linesOfChild(): Promise<Array<{ i?: number; msg: string }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A reader slower than the writer, as a terminal or a supervisor's pipe can be.
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 100);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return out.trim().split('\n').map((line) => JSON.parse(line) as { i?: number; msg: string });
}

describe('an exit through flushLogs', () => {
  it('leaves every line written, in order, the last one last (3 runs with the thread pool busy)', async () => {
    for (let run = 0; run < 3; run++) {
      const lines = await linesOfChild();
      expect(lines).toHaveLength(502);
      expect(lines.at(-1)!.msg).toBe('last');
      expect(lines.slice(0, -1).map((line) => line.i)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    }
  }, 30_000);
});
