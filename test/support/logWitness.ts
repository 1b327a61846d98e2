/**
 * A suite-wide log witness (a vitest setup file): every line the code under test logs
 * (runtime/log.ts), in every test file, is captured here at level debug, so that every kind of
 * line is written, and kept in memory for the file's tests to read (logs.ts) and in the run's
 * folder for the check over the whole run (logWitnessRun.ts). At the end of each test file, a
 * line holding a CPR number, a name or an address of the seeded world, or a token, fails the
 * file (logLeaks.ts).
 */
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { setLogDestination, setLogLevel } from '../../runtime/log';
import { leakingLines } from './logLeaks';
import { keepLine, keepLinesIn, keepingLines, rawLines, startFileLines } from './logs';

if (!keepingLines()) {
  keepLinesIn(openSync(join(inject('logWitnessDir'), `${process.pid}.ndjson`), 'a'));
  setLogDestination({ write: keepLine });
  setLogLevel('debug');
}
startFileLines();

// After every other hook of the file (hooks run as a stack): what closing wrote is judged too.
afterAll(() => {
  expect(leakingLines(rawLines()), 'log lines that give away personal data or a token').toEqual([]);
});
