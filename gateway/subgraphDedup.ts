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
 */
import { createHash } from 'node:crypto';
import type { Fetcher } from '@apollo/utils.fetcher';

/** The header willSendRequest puts the request's sharing key in; the fetcher takes it out before sending. */
export const SHARING_KEY_HEADER = 'x-kommunegraph-sharing-key';

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
  if (intent !== null || /^\s*mutation\b/.test(query)) return undefined;
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

export function sharingFetcher(fetcher: Fetcher): SharingFetcher {
  const inFlight = new Map<string, Promise<Answer>>();
  let shared = 0;
  const copy = (answer: Answer) => new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: answer.headers }) as unknown as FetcherResponse;
  return {
    shared: () => shared,
    fetcher: async (url, init) => {
      const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
      const key = headers[SHARING_KEY_HEADER];
      delete headers[SHARING_KEY_HEADER];
      const sent = { ...init, headers };
      if (!key || typeof init?.body !== 'string') return fetcher(url, sent);
      const full = `${url}\n${key}\n${init.body}`;
      const pending = inFlight.get(full);
      if (pending) {
        shared++;
        return copy(await pending);
      }
      const answer = (async (): Promise<Answer> => {
        const response = await fetcher(url, sent);
        return { status: response.status, statusText: response.statusText, headers: [...(response.headers as unknown as Headers).entries()], body: await response.text() };
      })();
      inFlight.set(full, answer);
      // Shared only while in flight: an answer is never reused once it has arrived.
      void answer.then(
        () => inFlight.delete(full),
        () => inFlight.delete(full),
      );
      return copy(await answer);
    },
  };
}
