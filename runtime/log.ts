/**
 * Structured logs (pino 10), one logger per process shared by the gateway and the subgraphs:
 * JSON lines with `time` (ISO 8601), `level` (its name), `pid`, `hostname` and `service` (which
 * part wrote the line: `gateway` or `subgraph:<name>`; the process's own kind for plumbing
 * shared by all, e.g. `local` under `npm start`, which runs every part in one process), and what
 * the line is about. Lines written while a request is served carry its `requestId` (and at the
 * gateway its `traceId`): runtime/httpServer.ts gives each request a log context and the context
 * builders bind the ids (`bindLogContext`).
 *
 * Nothing personal and no secret reaches a line: fields known to carry them are censored by
 * name at any depth (`REDACTED_FIELDS`), every message and string field is masked for
 * anything shaped like a CPR number or a token (runtime/redact.ts `maskForLog`), and an error is
 * written as `describeForLog` describes it, never with its stack or payload.
 *
 * Settings: LOG_LEVEL (`logLevelSchema`), LOG_FORMAT (`json`, or `pretty` for a person at a
 * terminal: pino-pretty as a stream in this process, no worker thread; `npm start`'s default).
 * The fields of each kind of line are in docs/operators.md#logs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { z } from 'zod';
import { parseConfig } from './config';
import { describeForLog, maskForLog } from './redact';

export type { Logger } from 'pino';

/** The levels LOG_LEVEL takes, most severe first; `silent` writes nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const logDefaults = {
  // one line per request and every warning; subgraph and legacy calls are debug
  level: 'info',
  format: 'json',
} as const satisfies { level: LogLevel; format: LogFormat };

/** LOG_LEVEL. */
export const logLevelSchema = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')} (LOG_LEVEL)` });
/** LOG_FORMAT. */
export const logFormatSchema = z.enum(LOG_FORMATS, { error: `must be json or pretty (LOG_FORMAT)` });

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

const logSettingsSchema = z.object({
  level: logLevelSchema.default(logDefaults.level),
  format: logFormatSchema.default(logDefaults.format),
});

/**
 * LOG_LEVEL and LOG_FORMAT from a process's environment, `defaults` where unset (npm start's
 * format is pretty). Throws ConfigInvalid naming every problem. The gateway reads the same
 * variables through its own schema (gateway/config.ts), with these same rules.
 */
export function loadLogSettings(env: NodeJS.ProcessEnv, what: string, defaults: Partial<LogSettings> = {}): LogSettings {
  return parseConfig(`${what} log`, logSettingsSchema, {
    ...(env['LOG_LEVEL'] || defaults.level ? { level: env['LOG_LEVEL'] || defaults.level } : {}),
    ...(env['LOG_FORMAT'] || defaults.format ? { format: env['LOG_FORMAT'] || defaults.format } : {}),
  });
}

/**
 * Fields censored wherever they appear in a line, at any depth: credentials, CPR numbers, names
 * and addresses, and a request's variables (which hold CPR numbers). No line we write has them;
 * this is the net under that promise. Censored in the same walk that masks every string
 * (`masked`): pino's own `redact` walked each path again on every line and was half the cost of
 * a request's line (45% of 63 µs: 100k calls of requestLog.answered, written to /dev/null).
 */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set([
  'authorization', 'cookie', 'token', 'password', 'passphrase', 'secret', 'credentials',
  'cpr', 'cprs', 'subject', 'subjects', 'fullName', 'givenName', 'familyName', 'address', 'addressText', 'variables',
]);
const CENSOR = '[redacted]';

/** Fields holding ids the gateway made (UUIDs, hex): never masked, a run of their digits is no CPR number. */
const OUR_IDS = new Set(['requestId', 'traceId', 'spanId', 'documentHash']);

/** What the lines written while one request is served carry: bound as the request's ids become known. */
export interface LogContext {
  requestId?: string;
  traceId?: string;
}

const requestContext = new AsyncLocalStorage<LogContext>();

/** Runs `serve` with a log context of its own (runtime/httpServer.ts, for each request). */
export function withLogContext<T>(serve: () => T): T {
  return requestContext.run({}, serve);
}

/** Binds ids to the current request's log context: every later line written for it carries them. */
export function bindLogContext(fields: LogContext): void {
  const store = requestContext.getStore();
  if (store) Object.assign(store, fields);
}

/**
 * JSON lines to stdout, written without blocking the event loop: a line per request written
 * synchronously cost the light query a fifth of its throughput (bench/README.md). What is
 * queued when the process exits is written then; a process killed outright (SIGKILL) can lose
 * the last lines, never an access record (the trail commits before the answer leaves).
 */
function jsonLines(): LineSink {
  const stream = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // stdout already gone: nothing left to write to
    }
  });
  // Bytes handed over and bytes sonic-boom says it wrote: equal, nothing is under way.
  let handed = 0;
  let written = 0;
  stream.on('write', (n: number) => (written += n));
  const settled = (): Promise<void> =>
    handed <= written
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('error', done);
            resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
        }).then(settled);
  return {
    write(line: string) {
      handed += Buffer.byteLength(line);
      stream.write(line);
    },
    settled,
  };
}

/** A destination that can tell when what it was handed has been written. */
interface LineSink extends DestinationStream {
  settled(): Promise<void>;
}

/** Where lines go; replaceable (`setLogDestination`), so loggers made before keep working. */
let destination: DestinationStream = jsonLines();
/** The `service` of lines whose logger names none: the process's own kind (configureLogging). */
let processKind = 'kommune-graph';
/** Whether a logger's bindings name a service (pino appends a child's bindings, never replaces them). */
const namesService = new WeakMap<object, boolean>();

const root: Logger = pino(
  {
    level: logDefaults.level,
    base: { pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => masked(fields, 0) as Record<string, unknown>,
    },
    // An error is what describeForLog says of it: class and redacted message, causes, no stack.
    serializers: { err: (error: unknown) => describeForLog(error), error: (error: unknown) => describeForLog(error) },
    mixin: (_fields, _level, from) => {
      let named = namesService.get(from);
      if (named === undefined) namesService.set(from, (named = from.bindings()['service'] !== undefined));
      return named ? { ...requestContext.getStore() } : { service: processKind, ...requestContext.getStore() };
    },
    hooks: {
      logMethod(args, method) {
        const fitted = args.map((arg) => (typeof arg === 'string' ? maskForLog(arg) : arg)) as Parameters<typeof method>;
        return method.apply(this, fitted);
      },
    },
  },
  { write: (line: string) => destination.write(line) },
);

/**
 * Masks every string field (and the strings in arrays and objects within, a few levels deep),
 * our own ids aside; an error anywhere is what describeForLog says of it (under `err` and `error`
 * the serializers say it).
 */
function masked(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskForLog(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than the walk goes, nothing is written: unwalked, it would be unmasked and uncensored.
  if (depth > 4) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => masked(v, depth + 1));
  if (value instanceof Error) return describeForLog(value);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (REDACTED_FIELDS.has(key)) out[key] = CENSOR;
    else out[key] = OUR_IDS.has(key) || (depth === 0 && (key === 'err' || key === 'error') && inner instanceof Error) ? inner : masked(inner, depth + 1);
  }
  return out;
}

/** Fields a part's logger adds to every line it writes. */
export interface LogBindings {
  /** `gateway` or `subgraph:<name>`; absent: the process's own kind (configureLogging). */
  service?: string;
  /** The part of the service, e.g. `legacy`, `tenants`, `audit`. */
  component?: string;
}

/** A logger for one part of the process; its level is the process's, even when set later. */
export function logger(bindings: LogBindings = {}): Logger {
  return root.child({ ...bindings });
}

/**
 * Sets this process's level, format and kind; called by the start commands before anything is
 * started (a logger made before keeps its bindings and follows the level).
 */
export function configureLogging(settings: LogSettings & { service: string }): void {
  root.level = settings.level;
  processKind = settings.service;
  setLogDestination(settings.format === 'pretty' ? prettyLines() : jsonLines());
}

/**
 * Lines for a person at a terminal: pino-pretty as a stream in this process (no transport, so
 * no worker thread, and written synchronously like the JSON lines): the time, the level, the
 * service and part, the message, the other fields on the same line. Colours on a terminal only.
 */
export function prettyLines(options: { destination?: NodeJS.WritableStream; colorize?: boolean } = {}): DestinationStream {
  return pretty({
    sync: true,
    colorize: options.colorize ?? process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,component',
    messageFormat: '{service}{if component}/{component}{end}: {msg}',
    singleLine: true,
    ...(options.destination ? { destination: options.destination } : {}),
  });
}

/** The longest an exit waits for its last lines (a stdout no one reads must not hold a stop). */
const FLUSH_WAIT_MS = 1_000;

/**
 * Resolves once every line written so far has reached stdout (or after FLUSH_WAIT_MS). Exit
 * through this, not straight away: the exit-time flush writes what is queued at once while a
 * write already under way finishes on its own, so without it the last line can come out before
 * the one written just before it (seen in CI: "Stopped." before "stopping gateway…").
 */
export function flushLogs(): Promise<void> {
  const sink = destination as Partial<LineSink>;
  // The pretty lines and the test suite's witness are written synchronously: nothing under way.
  if (typeof sink.settled !== 'function') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, FLUSH_WAIT_MS);
    sink.settled!().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Sends every line of this process to `stream` from now on (the test suite's witness captures them so). */
export function setLogDestination(stream: DestinationStream): void {
  destination = stream;
}

/** Sets the level (tests: debug, so that every kind of line is written and checked). */
export function setLogLevel(level: LogLevel): void {
  root.level = level;
}
