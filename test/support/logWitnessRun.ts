/**
 * vitest global setup: the folder every test process appends its log lines to (logWitness.ts),
 * and, after the whole run, one check over all of them: the lines a file's own check could not
 * see (written after its end, by a server still closing, or by a child process) are judged here.
 * A line that gives away a CPR number, a name or an address of the seeded world, or a token, fails
 * the run (exit code 1).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { leakingLines } from './logLeaks';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the test processes append their log lines to, one file each. */
    logWitnessDir: string;
  }
}

export default function logWitnessRun(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'log-witness-'));
  project.provide('logWitnessDir', dir);
  return () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
    const leaking = leakingLines(lines);
    if (leaking.length > 0) {
      const shown = leaking.slice(0, 10).map((l) => `- ${l.leaks.join('; ')}: ${l.line}`).join('\n');
      // vitest reports an error thrown here ("error during close") but exits 0 for it: fail the run itself.
      process.exitCode = 1;
      throw new Error(`log witness: ${leaking.length} of ${lines.length} log lines give away personal data or a token (kept in ${dir}):\n${shown}`);
    }
    console.log(`log witness: ${lines.length} log lines from ${files.length} test processes checked: no CPR number, name or address of the world, no token`);
    rmSync(dir, { recursive: true, force: true });
  };
}
