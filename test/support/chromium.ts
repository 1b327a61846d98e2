/**
 * Headless Chromium for the tests that need a real browser (the explorer), driven by
 * playwright-core: Debian's own chromium, not a browser Playwright downloads, started so that it
 * reaches out to nobody by itself (no updates, no sync, no QUIC probes, no background fetches),
 * with a user-data folder of its own that goes with it.
 *
 * Chromium missing is said the same way everywhere: under CI it fails the test, elsewhere the
 * test is skipped with this message printed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_MISSING = `Chromium is not installed at ${CHROMIUM_PATH}: the explorer's browser test needs it. `
  + 'Install it with `apt-get update && apt-get install -y chromium` (Debian; .ci/run does this before the tests).';

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM_PATH);

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'kommune-graph-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
