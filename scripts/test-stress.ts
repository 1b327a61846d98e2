/**
 * `npm run test:stress`: the whole suite, several times in a row, while CPU hogs keep every core
 * busy — the conditions under which a test that leans on timing fails. Prints each run's counts and
 * time, and exits 1 if any run had a failure.
 *
 *   npm run test:stress                 3 runs, one hog per core
 *   npm run test:stress -- --runs 5 --hogs 4
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, hogs: { type: 'string' } } });
const runs = Number(values.runs);
const hogCount = values.hogs === undefined ? availableParallelism() : Number(values.hogs);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(hogCount) || hogCount < 0) {
  console.error('usage: npm run test:stress -- [--runs N (≥1)] [--hogs N (≥0, default one per core)]');
  process.exit(2);
}
/** A run that takes longer than this is stopped and counted as failed: the suite hangs. */
const RUN_LIMIT_MS = 20 * 60_000;

const hogs: ChildProcess[] = [];
const stopHogs = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

for (let i = 0; i < hogCount; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
console.log(`${hogCount} CPU hog(s) running; ${runs} run(s) of the whole suite follow.`);

const dir = mkdtempSync(join(tmpdir(), 'test-stress-'));
let failedRuns = 0;
for (let run = 1; run <= runs; run++) {
  const report = join(dir, `run-${run}.json`);
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('exit', (exitCode) => {
      clearTimeout(limit);
      resolve(exitCode ?? 1);
    });
  });
  let passed = 0;
  let failed = 0;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number; success: boolean };
    passed = result.numPassedTests;
    // A file that fails outside its tests (a hook) has no failed test of its own: count the file.
    failed = result.numFailedTests + (result.numFailedTests === 0 && !result.success ? Math.max(1, result.numFailedTestSuites) : 0);
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  if (failed > 0) failedRuns++;
  console.log(`run ${run}/${runs}: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
stopHogs();
rmSync(dir, { recursive: true, force: true });
console.log(failedRuns === 0 ? `all ${runs} runs passed under load` : `${failedRuns} of ${runs} runs had failures`);
process.exit(failedRuns === 0 ? 0 : 1);
