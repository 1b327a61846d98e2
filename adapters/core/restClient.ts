/**
 * A JSON-over-HTTP client for one REST legacy system, on undici with a keep-alive pool.
 * Every failure becomes a typed LegacyError carrying the HTTP status, never the body, the URL or
 * the HTTP client's own error.
 *
 * Who we are, when the service asks: a TLS client certificate on the pool's connections, or
 * credentials in the query (Datafordeler's service users), added here to each request's URL and
 * nowhere else, so no caller, log line or error ever holds a URL with a password in it.
 */
import { inspect } from 'node:util';
import { Agent, request } from 'undici';
import { callDeadline } from './deadline';
import { LegacyBadResponse, LegacyError, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from './errors';
import { traceHeaders, tracedLegacyCall } from './legacyTrace';
import type { Resilience } from './resilience';
import { isTlsFailure, transportFailure } from './tlsFailure';
import type { TlsClientIdentity } from './tlsIdentity';

/**
 * Query parameters that carry credentials, e.g. Datafordeler's `username` and `password` for a
 * service user (tjenestebruger). Held in a private field: serialized or printed, they show their
 * names only.
 */
export class QueryCredentials {
  readonly #params: ReadonlyArray<readonly [string, string]>;
  constructor(params: Readonly<Record<string, string>>) {
    this.#params = Object.entries(params);
  }
  /** Sets the parameters on a URL that is about to be requested, and on nothing else. */
  applyTo(url: URL): void {
    for (const [name, value] of this.#params) url.searchParams.set(name, value);
  }
  toJSON(): string {
    return `[query credentials: ${this.#params.map(([name]) => name).join(', ')}]`;
  }
  [inspect.custom](): string {
    return this.toJSON();
  }
}

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
  /** The TLS client certificate presented on every connection; none when absent. */
  tls?: TlsClientIdentity;
  /** Credentials sent as query parameters on every request; none when absent. */
  queryCredentials?: QueryCredentials;
}

export interface JsonCallOptions {
  signal?: AbortSignal;
  /** Municipality code for error context. */
  tenant?: string;
  /** On a write: sent as `Idempotency-Key`, so a system that honours it makes a repeated write once. */
  idempotencyKey?: string;
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

/**
 * A call as observers may name it: the method and the path without its query, each segment that
 * is not a plain word (an id, a case number, a UUID, a CPR number) written `{id}`:
 * `GET api/v1/sager/{id}/dokumenter`. Paths are made in the adapters; their words are ours.
 */
export function operationOf(method: string, path: string): string {
  const segments = path.split('?')[0]!.replace(/^\//, '').split('/');
  return `${method} ${segments.map((s) => (/^(?:[A-Za-z][A-Za-z_-]{0,39}(?:\d{1,2})?|\d{1,2})$/.test(s) ? s : '{id}')).join('/')}`;
}

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const { system } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const dispatcher = new Agent({
    connections: options.connections ?? 32,
    keepAliveTimeout: 4_000,
    ...(options.tls ? { connect: options.tls.connectOptions() } : {}),
  });
  // Closed once: a client may be released both when its system moves and when the subgraph stops.
  let closing: Promise<void> | undefined;
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;

  function fetchText(path: string, callOptions: JsonCallOptions, accept: string, write?: { method: 'POST' | 'PATCH'; body: string }): Promise<string> {
    const attempt = (signal: AbortSignal | undefined) => fetchOnce(path, { ...callOptions, signal }, accept, write);
    const operation = operationOf(write?.method ?? 'GET', path);
    const resilience = options.resilience;
    return tracedLegacyCall({ system, operation, tenant: callOptions.tenant }, () =>
      resilience ? resilience.execute({ system, operation, tenant: callOptions.tenant, idempotent: !write, signal: callOptions.signal, run: attempt }) : attempt(callOptions.signal),
    );
  }

  async function fetchOnce(
    path: string,
    callOptions: { signal: AbortSignal | undefined; tenant?: string | undefined; idempotencyKey?: string | undefined },
    accept: string,
    write?: { method: 'POST' | 'PATCH'; body: string },
  ): Promise<string> {
    const tenant = callOptions.tenant;
    const url = new URL(path.replace(/^\//, ''), base);
    options.queryCredentials?.applyTo(url);
    const deadline = callDeadline(timeoutMs, callOptions.signal);
    try {
      const response = await request(url, {
        method: write?.method ?? 'GET',
        dispatcher,
        signal: deadline.signal,
        headers: withTraceHeaders(write ? { accept, 'content-type': 'application/json', ...(callOptions.idempotencyKey ? { 'idempotency-key': callOptions.idempotencyKey } : {}) } : { accept }),
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
      // undici's error is not kept: only its code and what kind of failure it was.
      const failure = transportFailure(error);
      if (deadline.signal.aborted) throw new LegacyTimeout(`${system}: no answer within the deadline`, { system, tenant, cause: failure });
      const message = isTlsFailure(failure) ? `${system}: ${failure.message}` : `${system}: the service could not be reached`;
      throw new LegacyUnavailable(message, { system, tenant, detail: failure.code, cause: failure });
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
      } catch {
        // Not kept as the cause: JSON.parse's message quotes the body it could not read.
        throw new LegacyBadResponse(`${system}: the response is not valid JSON`, { system, tenant: callOptions.tenant });
      }
    },
    getText: (path, callOptions = {}) => fetchText(path, callOptions, '*/*'),
    async send(method, path, body, callOptions = {}) {
      const text = await fetchText(path, callOptions, 'application/json', { method, body: JSON.stringify(body) });
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Not kept as the cause: JSON.parse's message quotes the body it could not read.
        throw new LegacyBadResponse(`${system}: the response is not valid JSON`, { system, tenant: callOptions.tenant });
      }
    },
    close: () => (closing ??= dispatcher.close()),
  };
}

/** The request's headers, with the legacy call's span named when the request is traced (legacyTrace.ts). */
function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const trace = traceHeaders();
  return trace ? Object.assign(headers, trace) : headers;
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
