/**
 * The typecheck, inside `npm test`: CI runs only the tests, and the resolvers' generated types
 * (npm run codegen) protect nothing unless a type error fails the run. tsc over the whole project
 * (tsconfig.json's include), failing with tsc's own words.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

describe('npm run typecheck', () => {
  it('tsc -p . --noEmit finds no type error', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', '.', '--noEmit', '--pretty', 'false'], { cwd: root, timeout: 115_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(code, `tsc found type errors (npm run typecheck):\n${output}`).toBe(0);
  }, 120_000);
});
