/**
 * A JSON-over-HTTP client for one REST legacy system, on undici with a keep-alive pool.
 * Every failure becomes a typed LegacyError carrying the HTTP status, never the body.
 */
import { Agent, request } from 'undici';
import { callDeadline } from './deadline';
import { LegacyBadResponse, LegacyError, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from './errors';
import type { Resilience } from './resilience';

export interface JsonClientOptions {
  /** Legacy system name for errors, e.g. `bbr`. */
  system: string;
  baseUrl: string;
  /** Per-call timeout. @default 2000 (milliseconds) */
  timeoutMs?: number;
  /** Sockets kept per origin. @default 32 */
  connections?: number;
  /** Retry, breaker and bulkhead around every call; none when absent. GETs count as idempotent. */
  resilience?: Resilience;
}

export interface JsonCallOptions {
  signal?: AbortSignal;
  /** Municipality code for error context. */
  tenant?: string;
}

export interface JsonClient {
  readonly system: string;
  /** GETs `path` (with its query) relative to the base URL and returns the parsed JSON. */
  get(path: string, options?: JsonCallOptions): Promise<unknown>;
  /** GETs and returns the raw text (for non-JSON payloads such as XML files). */
  getText(path: string, options?: JsonCallOptions): Promise<string>;
  /**
   * Sends a write (POST or PATCH, a JSON body) and returns the parsed JSON answer. Never retried:
   * a write that timed out may have happened, and a second one would happen twice.
   */
  send(method: 'POST' | 'PATCH', path: string, body: unknown, options?: JsonCallOptions): Promise<unknown>;
  close(): Promise<void>;
}

const MAX_ERROR_BODY_BYTES = 4_096; // enough to tell an error document from nothing

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const { system } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const dispatcher = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 4_000 });
  // Closed once: a client may be released both when its system moves and when the subgraph stops.
  let closing: Promise<void> | undefined;
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;

  function fetchText(path: string, callOptions: JsonCallOptions, accept: string, write?: { method: 'POST' | 'PATCH'; body: string }): Promise<string> {
    const attempt = (signal: AbortSignal | undefined) => fetchOnce(path, { ...callOptions, signal }, accept, write);
    if (!options.resilience) return attempt(callOptions.signal);
    return options.resilience.execute({ system, tenant: callOptions.tenant, idempotent: !write, signal: callOptions.signal, run: attempt });
  }

  async function fetchOnce(
    path: string,
    callOptions: { signal: AbortSignal | undefined; tenant?: string | undefined },
    accept: string,
    write?: { method: 'POST' | 'PATCH'; body: string },
  ): Promise<string> {
    const tenant = callOptions.tenant;
    const url = new URL(path.replace(/^\//, ''), base);
    const deadline = callDeadline(timeoutMs, callOptions.signal);
    try {
      const response = await request(url, {
        method: write?.method ?? 'GET',
        dispatcher,
        signal: deadline.signal,
        headers: write ? { accept, 'content-type': 'application/json' } : { accept },
        ...(write ? { body: write.body } : {}),
      });
      if (response.statusCode === 404) {
        await response.body.dump({ limit: MAX_ERROR_BODY_BYTES });
        throw new NotFound(`${system}: not found`, { system, tenant, detail: 'HTTP 404' });
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await readLimited(response.body, MAX_ERROR_BODY_BYTES);
        const status = response.statusCode;
        const detail = `HTTP ${status}`;
        if (status === 429) throw new LegacyUnavailable(`${system}: the service asks us to slow down`, { system, tenant, detail });
        if (isJsonDocument(text)) {
          throw new LegacyFault(`${system}: the service answered with an error`, { system, tenant, detail, serverSide: status >= 500 });
        }
        if (status >= 500) throw new LegacyUnavailable(`${system}: the service answered ${detail}`, { system, tenant, detail });
        throw new LegacyFault(`${system}: the service refused the request`, { system, tenant, detail });
      }
      return await response.body.text();
    } catch (error) {
      if (error instanceof LegacyError) throw error;
      if (deadline.signal.aborted) throw new LegacyTimeout(`${system}: no answer within the deadline`, { system, tenant, cause: error });
      const code = (error as { code?: string }).code ?? 'unknown';
      throw new LegacyUnavailable(`${system}: the service could not be reached`, { system, tenant, detail: code, cause: error });
    } finally {
      deadline.dispose();
    }
  }

  return {
    system,
    async get(path, callOptions = {}) {
      const text = await fetchText(path, callOptions, 'application/json');
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new LegacyBadResponse(`${system}: the response is not valid JSON`, { system, tenant: callOptions.tenant, cause: error });
      }
    },
    getText: (path, callOptions = {}) => fetchText(path, callOptions, '*/*'),
    async send(method, path, body, callOptions = {}) {
      const text = await fetchText(path, callOptions, 'application/json', { method, body: JSON.stringify(body) });
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new LegacyBadResponse(`${system}: the response is not valid JSON`, { system, tenant: callOptions.tenant, cause: error });
      }
    },
    close: () => (closing ??= dispatcher.close()),
  };
}

/** At most `limit` bytes of a body, the rest discarded: an error body is read to classify it, no more. */
async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    return '';
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function isJsonDocument(text: string): boolean {
  if (!text) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}
