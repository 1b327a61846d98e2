/**
 * One load run with autocannon (the project's devDependency) against one gateway: the same body
 * on every request, a fixed number of connections for a fixed time. Latency percentiles are
 * taken from every response's own time (autocannon's summary has no p95); a 200 response whose
 * body carries GraphQL `errors` is counted apart from HTTP failures.
 */
import autocannon from 'autocannon';

export interface DriveOptions {
  url: string;
  body: string;
  seconds: number;
  connections: number;
  /** Told every second how far the run is. */
  onSecond?: (elapsedSeconds: number, responses: number) => void;
}

export interface DriveResult {
  requests: number;
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Socket errors and timeouts (autocannon's `errors`, timeouts included). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx responses whose body has a GraphQL `errors` entry. */
  graphqlErrors: number;
  /** The first such body, cut short, to say what went wrong. */
  firstError?: string;
  elapsedSeconds: number;
}

const ERRORS_KEY = '"errors"';

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function drive(options: DriveOptions): Promise<DriveResult> {
  const times: number[] = [];
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    timeout: 30, // seconds: a slow gateway is measured, not cut off
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        body: options.body,
        onResponse: (status: number, body: string) => {
          if (status >= 200 && status < 300 && body.includes(ERRORS_KEY)) {
            graphqlErrors += 1;
            firstError ??= body.slice(0, 400);
          }
        },
      },
    ],
  });
  // The tracker's 'response' event carries the client first (autocannon lib/run.js), unlike its typings.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
  });
  const ticker = options.onSecond ? setInterval(() => options.onSecond!((performance.now() - started) / 1000, times.length), 1000) : undefined;
  const result = await instance;
  clearInterval(ticker);
  const elapsedSeconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const completed = times.length;
  return {
    requests: completed,
    rps: completed / Math.max(options.seconds, 1e-9),
    latencyMs: { p50: quantile(times, 0.5), p95: quantile(times, 0.95), p99: quantile(times, 0.99), max: times[times.length - 1] ?? Number.NaN },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    ...(firstError ? { firstError } : {}),
    elapsedSeconds,
  };
}
