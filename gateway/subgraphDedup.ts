/**
 * Identical subgraph requests in flight at the same moment share one fetch. Identical means the
 * same subgraph URL, the same body (query and variables) and the same decision: the actor, role,
 * scopes, tenant, purpose and grant of personal data the internal token carries. Two callers who
 * may see different things never share: a citizen's own-data check, a caseworker's municipality
 * and a service's scopes are all in the key. Writes never share (a write carries an intent and is
 * made once per request).
 *
 * Each caller gets its own copy of the answer, so its own hooks take in the subgraph's access
 * report: every caller still gets its own access record. The shared fetch is made with the first
 * caller's token and budget; a caller that joins it waits at most that long.
 *
 * A read that may share is signed only if it is sent: its data source defers the signing
 * (`DeferredTokens`) and the fetcher signs when no identical fetch is in flight. A token nobody
 * sends was an Ed25519 signature per request for nothing: with the light query's fetches almost
 * all shared, signing was a sixth of the gateway's CPU (node --cpu-prof, bench:peers (b)).
 */
import { createHash } from 'node:crypto';
import type { Fetcher } from '@apollo/utils.fetcher';
import { BufferedHeaders, BufferedResponse } from './bufferedResponse';

/** The header willSendRequest puts the request's sharing key in; the fetcher takes it out before sending. */
export const SHARING_KEY_HEADER = 'x-kommunegraph-sharing-key';
/** The header naming a deferred token (`DeferredTokens.defer`); the fetcher takes it out and signs, or drops it. */
export const DEFERRED_TOKEN_HEADER = 'x-kommunegraph-deferred-token';

/** Tokens to sign later, by the id a request carries to the fetcher. */
export interface DeferredTokens {
  /** Keeps `sign` for the request; the id goes in DEFERRED_TOKEN_HEADER. */
  defer(sign: () => Promise<string>): string;
  /** The signing kept under `id`, once; undefined for an id not kept (or already taken). */
  take(id: string): (() => Promise<string>) | undefined;
}

/**
 * At most this many deferred signings wait at once: each is taken within the same tick chain as
 * it is kept, so more means requests that never reached the fetcher; the oldest go first.
 */
const MAX_DEFERRED = 10_000;

export function deferredTokens(): DeferredTokens {
  const kept = new Map<string, () => Promise<string>>();
  let next = 0;
  return {
    defer(sign) {
      if (kept.size >= MAX_DEFERRED) kept.delete(kept.keys().next().value as string);
      const id = String(++next);
      kept.set(id, sign);
      return id;
    },
    take(id) {
      const sign = kept.get(id);
      kept.delete(id);
      return sign;
    },
  };
}

/** The parts of the decision a subgraph answers differently for. */
export interface SharingDecision {
  actor: string | null;
  role: string | null;
  scopes: readonly string[];
  tenant: string | null;
  purpose: string | null;
  personal: boolean;
  development: boolean;
}

/** The key under which a subgraph request may be shared, or none (a write, or a mutation's text). */
export function sharingKey(query: string, intent: string | null, decision: SharingDecision): string | undefined {
  return mayShare(query, intent) ? decisionKey(decision) : undefined;
}

/** Whether a subgraph request may share a fetch at all: a read, not a write's. */
export function mayShare(query: string, intent: string | null): boolean {
  return intent === null && !/^\s*mutation\b/.test(query);
}

/** The decision's part of the sharing key: the same for every subgraph call of one request. */
export function decisionKey(decision: SharingDecision): string {
  const { actor, role, scopes, tenant, purpose, personal, development } = decision;
  return createHash('sha256').update(JSON.stringify([actor, role, [...scopes].sort(), tenant, purpose, personal, development])).digest('base64url');
}

interface Answer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export interface SharingFetcher {
  fetcher: Fetcher;
  /** Requests answered by a fetch another request made (for tests and metrics). */
  shared(): number;
}

export function sharingFetcher(fetcher: Fetcher, tokens: DeferredTokens, tokenHeader: string): SharingFetcher {
  const inFlight = new Map<string, Promise<Answer>>();
  let shared = 0;
  const copy = (answer: Answer, url: string): FetcherResponse => new BufferedResponse(url, answer.status, answer.statusText, new BufferedHeaders(answer.headers), answer.body);
  /** The request's own token, signed now that it is the one sent (none when it carries a signed one). */
  const signed = async (headers: Record<string, string>, deferred: string | undefined) => {
    const sign = deferred === undefined ? undefined : tokens.take(deferred);
    if (sign) headers[tokenHeader] = await sign();
    return headers;
  };
  return {
    shared: () => shared,
    fetcher: async (url, init) => {
      const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
      const key = headers[SHARING_KEY_HEADER];
      const deferred = headers[DEFERRED_TOKEN_HEADER];
      delete headers[SHARING_KEY_HEADER];
      delete headers[DEFERRED_TOKEN_HEADER];
      if (!key || typeof init?.body !== 'string') return fetcher(url, { ...init, headers: await signed(headers, deferred) });
      const full = `${url}\n${key}\n${init.body}`;
      const pending = inFlight.get(full);
      if (pending) {
        // Joins the fetch in flight: its own token is never signed.
        if (deferred !== undefined) tokens.take(deferred);
        shared++;
        return copy(await pending, url);
      }
      const answer = (async (): Promise<Answer> => {
        const response = await fetcher(url, { ...init, headers: await signed(headers, deferred) });
        return { status: response.status, statusText: response.statusText, headers: [...response.headers], body: await response.text() };
      })();
      inFlight.set(full, answer);
      // Shared only while in flight: an answer is never reused once it has arrived.
      void answer.then(
        () => inFlight.delete(full),
        () => inFlight.delete(full),
      );
      return copy(await answer, url);
    },
  };
}
