/**
 * One composed resilience policy per tenant × legacy system, built with cockatiel 3:
 * retry (idempotent reads only, jittered exponential backoff, within a retry budget) around a
 * circuit breaker around a bulkhead. The call itself enforces its deadline (see deadline.ts).
 *
 * Failures that count against a system: no answer in time, unreachable, garbage, a protocol
 * fault. "Not found" and "forbidden" are answers, not failures: they neither trip the breaker
 * nor are retried. Breaker and bulkhead refusals become LegacyUnavailable, so callers handle one
 * error family.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { LegacyBadResponse, LegacyError, LegacyFault, LegacyTimeout, LegacyUnavailable } from './errors';

export interface ResilienceOptions {
  /** Retries after the first attempt, for idempotent reads. @default 2 */
  maxRetries?: number;
  /** First backoff delay; later ones grow exponentially with decorrelated jitter. @default 50 (milliseconds) */
  initialBackoffMs?: number;
  /** Longest backoff delay; kept short since the backoff wait does not watch the deadline. @default 200 (milliseconds) */
  maxBackoffMs?: number;
  /**
   * Retries may add at most this share of calls, per system, over the last budget window,
   * plus `minRetriesPerWindow`: a failing system is not hammered by retry storms.
   * @default 0.2
   */
  retryBudgetRatio?: number;
  /** @default 10 */
  minRetriesPerWindow?: number;
  /** @default 10000 (milliseconds) */
  retryBudgetWindowMs?: number;
  /** Consecutive failures that open a breaker. @default 5 */
  breakerThreshold?: number;
  /** How long an open breaker waits before letting one trial call through. @default 10000 (milliseconds) */
  breakerHalfOpenAfterMs?: number;
  /** Concurrent calls per tenant × system. @default 32 */
  bulkheadLimit?: number;
  /** Calls that may wait for a bulkhead slot. @default 64 */
  bulkheadQueue?: number;
}

export interface LegacyCall<T> {
  system: string;
  /**
   * What is asked of the system, for observers (logs): a SOAP operation, or a REST method and
   * path with its identifiers left out (restClient.ts). Never an argument.
   */
  operation?: string | undefined;
  /** Municipality code; national systems shared by all tenants pass undefined. */
  tenant?: string | undefined;
  /** Only idempotent reads are retried; a write says why it is not (it never is). */
  idempotent: boolean;
  /** The request's deadline; no retry starts after it has passed. */
  signal?: AbortSignal | undefined;
  run(signal: AbortSignal): Promise<T>;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface BreakerStatus {
  system: string;
  tenant: string | null;
  state: BreakerState;
}

/**
 * How a legacy call ended, as metrics count it: a bounded set. The typed errors' families, with
 * the two refusals made without calling the system told apart from the system's own failures.
 */
export type LegacyCallOutcome =
  | 'ok'
  | 'not_found'
  | 'forbidden'
  | 'fault'
  | 'timeout'
  | 'unavailable'
  | 'bad_response'
  /** Not called: the breaker is open. */
  | 'circuit_open'
  /** Not called: too many calls in progress and queued. */
  | 'bulkhead_full'
  /** Not a typed legacy error: a bug in an adapter. */
  | 'error';

/** One legacy call as it ended, retries and backoff included: what the request waited for. */
export interface LegacyCallEnded {
  system: string;
  /** The call's `operation`, when it named one. */
  operation?: string | undefined;
  tenant: string | null;
  outcome: LegacyCallOutcome;
  seconds: number;
  /** Attempts made (1 without retries; 0 when the breaker or bulkhead refused it). */
  attempts: number;
}

export interface Resilience {
  execute<T>(call: LegacyCall<T>): Promise<T>;
  /** Every breaker created so far, with its state. */
  breakers(): BreakerStatus[];
  /** Observability from outside: called on every breaker state change. */
  onBreakerChange(listener: (status: BreakerStatus) => void): void;
  /**
   * Observability from outside (metrics; adapters know nothing of Prometheus): called as every
   * call ends. Returns the detach. A listener that throws does not fail the call.
   */
  onCall(listener: (call: LegacyCallEnded) => void): () => void;
  /** Counters since start, for tests and metrics. */
  stats(): { calls: number; retries: number; retriesRefusedByBudget: number };
  /**
   * Drops the breaker and bulkhead of one tenant × system, e.g. when the tenant registry moves
   * the system to a new URL: the new system starts with a closed breaker.
   */
  forget(system: string, tenant: string | null): void;
}

const STATE_NAMES: Record<number, BreakerState> = { 0: 'closed', 1: 'open', 2: 'half-open', 3: 'isolated' };

/**
 * Failures that say something about the system's health. A fault the request caused (bad
 * input, soap:Client) is the caller's, and must not open a national system's breaker.
 */
export function isSystemFailure(error: unknown): boolean {
  return (
    error instanceof LegacyTimeout ||
    error instanceof LegacyUnavailable ||
    error instanceof LegacyBadResponse ||
    (error instanceof LegacyFault && error.serverSide)
  );
}

/** Failures worth another attempt: the system may answer next time. */
export function isTransient(error: unknown): boolean {
  return error instanceof LegacyTimeout || error instanceof LegacyUnavailable;
}

/** A token budget for retries: each call deposits `ratio`, each retry withdraws 1, per window. */
class RetryBudget {
  private window: { startedAt: number; calls: number; retries: number } = { startedAt: Date.now(), calls: 0, retries: 0 };
  constructor(
    private readonly ratio: number,
    private readonly minimum: number,
    private readonly windowMs: number,
  ) {}
  private current() {
    if (Date.now() - this.window.startedAt >= this.windowMs) this.window = { startedAt: Date.now(), calls: 0, retries: 0 };
    return this.window;
  }
  recordCall(): void {
    this.current().calls++;
  }
  tryRetry(): boolean {
    const w = this.current();
    if (w.retries + 1 > this.minimum + this.ratio * w.calls) return false;
    w.retries++;
    return true;
  }
}

interface PolicyEntry {
  breaker: CircuitBreakerPolicy;
  reads: IPolicy;
  writes: IPolicy;
}

export function createResilience(options: ResilienceOptions = {}): Resilience {
  const maxRetries = options.maxRetries ?? 2;
  const entries = new Map<string, PolicyEntry & { system: string; tenant: string | null }>();
  const budgets = new Map<string, RetryBudget>();
  const listeners: ((status: BreakerStatus) => void)[] = [];
  const callListeners = new Set<(call: LegacyCallEnded) => void>();
  const ended = (call: LegacyCall<unknown>, started: number, attempts: number, error?: { raw: unknown }) => {
    if (callListeners.size === 0) return;
    const event: LegacyCallEnded = {
      system: call.system,
      ...(call.operation !== undefined ? { operation: call.operation } : {}),
      tenant: call.tenant ?? null,
      outcome: error ? outcomeOf(error.raw) : 'ok',
      seconds: (performance.now() - started) / 1_000,
      attempts,
    };
    for (const listener of callListeners) {
      try {
        listener(event);
      } catch {
        // Counting a call must never change its result.
      }
    }
  };
  const counters = { calls: 0, retries: 0, retriesRefusedByBudget: 0 };
  /** Which attempt produced an error, so the retry predicate knows when retries are used up. */
  const attemptOf = new WeakMap<object, number>();

  const budgetFor = (system: string) => {
    let budget = budgets.get(system);
    if (!budget) {
      budget = new RetryBudget(options.retryBudgetRatio ?? 0.2, options.minRetriesPerWindow ?? 10, options.retryBudgetWindowMs ?? 10_000);
      budgets.set(system, budget);
    }
    return budget;
  };

  const entryFor = (system: string, tenant: string | null) => {
    const key = `${tenant ?? '*'}|${system}`;
    let entry = entries.get(key);
    if (entry) return entry;
    const breaker = circuitBreaker(handleWhen(isSystemFailure), {
      halfOpenAfter: options.breakerHalfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    const isolation = bulkhead(options.bulkheadLimit ?? 32, options.bulkheadQueue ?? 64);
    const budget = budgetFor(system);
    const retries = retry(
      handleWhen((error) => {
        if (!isTransient(error)) return false;
        // cockatiel asks before it checks maxAttempts: the last attempt must not spend budget.
        if ((attemptOf.get(error) ?? 0) > maxRetries) return false;
        if (!budget.tryRetry()) {
          counters.retriesRefusedByBudget++;
          return false;
        }
        return true;
      }),
      { maxAttempts: maxRetries, backoff: new ExponentialBackoff({ initialDelay: options.initialBackoffMs ?? 50, maxDelay: options.maxBackoffMs ?? 200 }) },
    );
    retries.onRetry(() => counters.retries++);
    entry = { system, tenant, breaker, reads: wrap(retries, breaker, isolation), writes: wrap(breaker, isolation) };
    breaker.onStateChange((state) => {
      const status = { system, tenant, state: STATE_NAMES[state] ?? 'closed' };
      for (const listener of listeners) listener(status);
    });
    entries.set(key, entry);
    return entry;
  };

  return {
    async execute<T>(call: LegacyCall<T>): Promise<T> {
      const entry = entryFor(call.system, call.tenant ?? null);
      counters.calls++;
      budgetFor(call.system).recordCall();
      // Writes are never retried: a timed-out write may have happened, and a second one would
      // journalize a document twice.
      const policy = call.idempotent ? entry.reads : entry.writes;
      const signal = call.signal ?? new AbortController().signal;
      let attempt = 0;
      const started = performance.now();
      try {
        const result = await policy.execute(async ({ signal: attemptSignal }) => {
          attempt++;
          try {
            return await call.run(attemptSignal);
          } catch (error) {
            if (error !== null && typeof error === 'object') attemptOf.set(error, attempt);
            throw error;
          }
        }, signal);
        ended(call, started, attempt);
        return result;
      } catch (error) {
        const legacy = toLegacy(error, call);
        // The outcome is read before cockatiel's refusals become LegacyUnavailable: "not called" is told apart.
        ended(call, started, attempt, { raw: error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError ? error : legacy });
        throw legacy;
      }
    },
    breakers: () => [...entries.values()].map((e) => ({ system: e.system, tenant: e.tenant, state: STATE_NAMES[e.breaker.state] ?? 'closed' })),
    onBreakerChange: (listener) => {
      listeners.push(listener);
    },
    onCall: (listener) => {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    stats: () => ({ ...counters }),
    forget: (system, tenant) => {
      entries.delete(`${tenant ?? '*'}|${system}`);
    },
  };
}

/**
 * The outcome label of a failed call: its error's family, or how cockatiel refused it (told by
 * cockatiel's error, or by the LegacyUnavailable `execute` made of it, as its callers see it).
 */
export function outcomeOf(error: unknown): LegacyCallOutcome {
  if (error instanceof BrokenCircuitError || (error instanceof LegacyUnavailable && error.detail === NOT_CALLED.circuit)) return 'circuit_open';
  if (error instanceof BulkheadRejectedError || (error instanceof LegacyUnavailable && error.detail === NOT_CALLED.bulkhead)) return 'bulkhead_full';
  if (!(error instanceof LegacyError)) return 'error';
  const outcomes: Record<LegacyError['code'], LegacyCallOutcome> = {
    NOT_FOUND: 'not_found',
    FORBIDDEN: 'forbidden',
    LEGACY_FAULT: 'fault',
    LEGACY_TIMEOUT: 'timeout',
    LEGACY_UNAVAILABLE: 'unavailable',
    LEGACY_BAD_RESPONSE: 'bad_response',
  };
  return outcomes[error.code];
}

/** The `detail` of a call refused without calling the system. */
const NOT_CALLED = { circuit: 'circuit open', bulkhead: 'bulkhead full' } as const;

function toLegacy(error: unknown, call: LegacyCall<unknown>): unknown {
  if (error instanceof LegacyError) return error;
  const context = { system: call.system, tenant: call.tenant ?? undefined, cause: error };
  if (error instanceof BrokenCircuitError) {
    return new LegacyUnavailable(`${call.system}: not called, its circuit breaker is open after repeated failures`, { ...context, detail: NOT_CALLED.circuit });
  }
  if (error instanceof BulkheadRejectedError) {
    return new LegacyUnavailable(`${call.system}: too many calls in progress`, { ...context, detail: NOT_CALLED.bulkhead });
  }
  if (call.signal?.aborted) return new LegacyTimeout(`${call.system}: the request's deadline passed`, { ...context, detail: 'deadline' });
  return error;
}
