/**
 * How the gateway's data sources reach the subgraphs: undici's request API over one keep-alive pool
 * per gateway, answering as fetch would (a WHATWG Response), which is what @apollo/gateway's data
 * sources read. Node's own fetch does the same over the same undici, with a WHATWG Request, streams
 * and header guards per call on top: on the heavy benchmark query, 17 subgraph calls per operation,
 * that was a few hundred microseconds a call (bench/README.md).
 *
 * The answer is read whole and handed over as a `BufferedResponse`: what the data sources read of a
 * Response (status, headers, the body as text or JSON), without the WHATWG streams a Response built
 * around a body sets up, which showed in the profile of every call.
 *
 * Each call stops when the request's budget (its header) and a grace are spent, so a hung subgraph
 * cannot hold a client past its deadline, and is never retried: a call may carry a mutation. A
 * failure to connect is reported as fetch reports it (TypeError "fetch failed", the cause kept), a
 * spent budget as a TimeoutError: what the error masking and the metrics tell apart.
 */
import { EventEmitter } from 'node:events';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, request } from 'undici';
import { BufferedHeaders, BufferedResponse } from './bufferedResponse';
import { REQUEST_BUDGET_HEADER } from './pipeline';

/** A subgraph gets this long past the budget to answer with what it has before the gateway stops waiting. */
export const SUBGRAPH_GRACE_MS = 250;

/**
 * Idle connections are let go after this long: well before a Node subgraph's own keep-alive timeout
 * (5 s), which would otherwise close one as the gateway sends a request on it (ECONNRESET).
 */
const IDLE_MS = 2_000;

export interface SubgraphHttp {
  fetcher: Fetcher;
  /** Closes the pool's connections (when the gateway stops). */
  close(): Promise<void>;
}

export function subgraphHttp(): SubgraphHttp {
  const pool = new Agent({ keepAliveTimeout: IDLE_MS, keepAliveMaxTimeout: IDLE_MS });
  const fetcher: Fetcher = async (url, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const budget = Number(headers[REQUEST_BUDGET_HEADER] ?? 0);
    // undici takes an emitter for a signal: an AbortSignal per call was a transferable object to make.
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, (Number.isFinite(budget) && budget > 0 ? budget : 1) + SUBGRAPH_GRACE_MS);
    const failed = (error: unknown): Error =>
      timedOut ? new DOMException('the subgraph did not answer within the request\'s budget', 'TimeoutError') : new TypeError('fetch failed', { cause: error });
    try {
      let answer: Awaited<ReturnType<typeof request>>;
      try {
        answer = await request(url, { method: (init?.method ?? 'POST') as 'POST', headers, body: init?.body as string | undefined, signal: abort, dispatcher: pool });
      } catch (error) {
        throw failed(error);
      }
      let text: string;
      try {
        text = await answer.body.text();
      } catch (error) {
        throw failed(error);
      }
      return new BufferedResponse(url, answer.statusCode, '', bufferedHeaders(answer.headers), text);
    } finally {
      clearTimeout(timer);
    }
  };
  return { fetcher, close: () => pool.close() };
}

/** undici's response headers (a value, or a list for a repeated header) as fetch joins them. */
function bufferedHeaders(raw: Record<string, string | string[] | undefined>): BufferedHeaders {
  const headers = new BufferedHeaders();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}
