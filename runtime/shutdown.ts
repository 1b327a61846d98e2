/**
 * One owner of SIGINT and SIGTERM per process. Every start script hands its close here and
 * nothing else reacts to those signals (Apollo's own handlers are off: `stopOnTerminationSignals:
 * false`): two owners each starting a stop is how `npm start` used to hang.
 *
 * - The first signal closes (the work in flight is finished) and exits 0; when closing takes
 *   longer than `graceMs`, the process says so and exits 1, so a supervisor is never left waiting.
 * - A second signal exits at once, 128 + its number (130 for SIGINT, 143 for SIGTERM).
 * - Started by npm, the process also watches its parent and shuts down as on SIGTERM when the
 *   parent is gone: npm killed outright (SIGKILL, OOM) forwards nothing.
 *
 * How npm 11 (11.19.1, here) forwards signals, found by experiment (a script that logs what it
 * gets, started with `npm run`, npm sent SIGINT or SIGTERM alone, or its whole process group):
 * @npmcli/run-script forwards SIGINT and SIGTERM to its one direct child, the `sh -c` running the
 * script line, and to nobody else. Debian's /bin/sh (dash 0.5.12) does not exec the line's last
 * command, so `tsx x.ts` ran as sh → tsx → node: SIGTERM killed sh, npm re-raised it on itself and
 * exited 143 at once, and node, reparented to init, kept serving, never signalled; SIGINT to npm
 * alone reached nobody (sh waits for its child). So the scripts `exec node --import tsx …`:
 * node is npm's direct child and gets what npm forwards (npm then exits with node's code, 0).
 * A terminal's Ctrl-C (and systemd's stop, KillMode=control-group) signals the whole group, so
 * node then gets the same signal twice within a millisecond: from the terminal and from npm.
 * Hence DUPLICATE_WINDOW_MS: the same signal again that soon is the same request, not a second one.
 */

import { flushLogs, logger } from './log';

/** Closing past this is reported and the process exits 1 (the requirement: stopped within 5 s). */
export const DEFAULT_GRACE_MS = 5_000;
/** The same signal again within this long is the first one delivered twice (see above), not a second Ctrl-C. */
export const DUPLICATE_WINDOW_MS = 500;
const PARENT_POLL_MS = 1_000;
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT_CODES;

export interface ShutdownOptions {
  /** How long closing may take before the process says so and exits 1. @default DEFAULT_GRACE_MS */
  graceMs?: number;
  /** Shut down, as on SIGTERM, when the parent process is gone. @default when npm started this process */
  watchParent?: boolean;
}

/**
 * Registers `close` as what this process does on SIGINT or SIGTERM (see the module comment),
 * once per process. Register it before starting anything, with a close that waits for the start,
 * so a signal during start closes what was started instead of killing the process mid-way.
 */
export function onShutdown(name: string, close: () => Promise<void>, options: ShutdownOptions = {}): void {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  let first: { signal: Signal | undefined; at: number } | undefined;
  const log = logger({ component: 'shutdown' });
  // Lines are written without blocking (runtime/log.ts): an exit waits for them, in their order.
  const exit = (code: number) => void flushLogs().then(() => process.exit(code));

  const begin = (reason: string, signal?: Signal) => {
    first = { signal, at: Date.now() };
    log.info(`${reason}: stopping ${name}… (Ctrl-C again to exit at once)`);
    // Ref'd on purpose: a close that hangs on nothing must still end in an exit, and an exit 1.
    const deadline = setTimeout(() => {
      log.error(`${name} did not stop within ${graceMs} ms; exiting without finishing.`);
      exit(1);
    }, graceMs);
    close().then(
      () => {
        clearTimeout(deadline);
        log.info('Stopped.');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        log.error(`${name} could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };

  const onSignal = (signal: Signal) => {
    if (!first) return begin(signal, signal);
    if (signal === first.signal && Date.now() - first.at < DUPLICATE_WINDOW_MS) return;
    log.warn(`${signal} again: exiting now.`);
    exit(EXIT_CODES[signal]);
  };
  for (const signal of Object.keys(EXIT_CODES) as Signal[]) process.on(signal, onSignal);

  if (options.watchParent ?? startedByNpm()) watchParent(() => first ?? begin('parent process gone'));
}

function startedByNpm(): boolean {
  return process.env['npm_lifecycle_event'] !== undefined;
}

/** Calls `gone` once when this process is reparented (to init or a subreaper): its parent has died. */
function watchParent(gone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone();
  }, PARENT_POLL_MS);
  timer.unref();
}

/**
 * Starts one long-lived service under onShutdown and prints `ready(service)` (a banner for the
 * person who started it, on stdout as it is, not a log line). A start that fails is said on
 * stderr as it is (the service never ran) and exits 1; `start` closes whatever it opened before failing.
 */
export async function serveUntilStopped<T extends { close(): Promise<void> }>(
  name: string,
  start: () => Promise<T>,
  ready: (service: T) => string,
  options: ShutdownOptions = {},
): Promise<T> {
  let service: T | undefined;
  const starting = start().then((started) => (service = started));
  onShutdown(name, async () => {
    await starting.catch(() => undefined);
    await service?.close();
  }, options);
  try {
    await starting;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  console.log(ready(service!));
  return service!;
}
