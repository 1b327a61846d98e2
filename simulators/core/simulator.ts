/**
 * The HTTP shell every legacy simulator shares: latency, switchable faults, a record of the
 * calls it answered, and a control API so tests and operators can flip faults over HTTP.
 *
 * A simulator describes only its protocol (`handle`) and how it expresses a fault in that
 * protocol (`renderFault`); this shell decides when to delay, fail, hang or garble.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * - `none`: answer normally
 * - `down`: drop the connection without answering (as a stopped service behind a proxy does)
 * - `http500`: HTTP 500 with a plain body
 * - `fault`: the protocol's own error (a SOAP Fault, a JSON error document)
 * - `hang`: accept the request and never answer (past any client deadline)
 * - `malformed`: HTTP 200 with a truncated, unparseable body
 */
export type FaultMode = 'none' | 'down' | 'http500' | 'fault' | 'hang' | 'malformed';
export const faultModes: readonly FaultMode[] = ['none', 'down', 'http500', 'fault', 'hang', 'malformed'];

export interface SimulatorRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  /** The subject of the certificate the client presented, when the simulator asks for one. */
  clientCertificate?: string;
}

export interface SimulatorResponse {
  status: number;
  contentType: string;
  body: string;
  /** Headers beyond content-type, e.g. WWW-Authenticate on a 401. */
  headers?: Readonly<Record<string, string>>;
}

/** One answered call, as tests count them: which operation, for which key. */
export interface RecordedCall {
  operation: string;
  key: string;
  /** The raw request body, kept so conformance tests can validate what adapters sent. */
  requestBody: string;
  /** The raw response body the simulator sent. */
  responseBody: string;
  /** The subject of the client's certificate, when the simulator asks for one: tests see who called. */
  clientCertificate?: string;
  /** When the call arrived (epoch ms), before the simulated latency: tests see which calls were made side by side. */
  arrivedAt: number;
}

export interface HandledCall {
  response: SimulatorResponse;
  /** Operation and key to record; omit for calls that are not legacy traffic (WSDL fetches). */
  record?: { operation: string; key: string };
}

export interface SimulatorDefinition {
  /** Short name used in logs and the control API, e.g. `cpr`. */
  name: string;
  handle(request: SimulatorRequest): HandledCall | Promise<HandledCall>;
  /** The protocol's own fault document for `fault` mode. */
  renderFault(request: SimulatorRequest): SimulatorResponse;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Delay added to every answered call. @default 0 (milliseconds) */
  latencyMs?: number;
  /**
   * Serve HTTPS with this server key and certificate (PEM) instead of HTTP. With `clientCa`, ask
   * every client for a certificate issued by that CA and refuse the TLS handshake without one, as
   * Serviceplatformen does (`sp:RequireClientCertificate`): such a call never reaches the system.
   */
  tls?: { key: string | Buffer; cert: string | Buffer; clientCa?: string | Buffer };
}

export interface RunningSimulator {
  name: string;
  url: string;
  calls: RecordedCall[];
  setFault(mode: FaultMode): void;
  setLatency(latencyMs: number): void;
  resetCalls(): void;
  /** Calls recorded for one operation, optionally narrowed to one key. */
  callsTo(operation: string, key?: string): RecordedCall[];
  /** Connections clients opened so far (over TLS: handshakes that succeeded): tests see keep-alive at work. */
  connectionsOpened(): number;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/__control';
const MAX_BODY_BYTES = 1_048_576; // 1 MiB: legacy requests are small; anything bigger is an error
const MAX_RECORDED_CALLS = 10_000; // keeps a long-running simulator's memory bounded

export async function startSimulator(definition: SimulatorDefinition, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  let fault: FaultMode = 'none';
  let latencyMs = options.latencyMs ?? 0;
  const calls: RecordedCall[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();

  const delay = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            pendingTimers.delete(timer);
            resolve();
          }, ms);
          pendingTimers.add(timer);
        });

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, contentType: 'text/plain', body: 'simulator error' });
      // A simulator bug must be visible to whoever runs it, never silently swallowed.
      console.error(`[simulator ${definition.name}]`, error);
    });
  };
  const tls = options.tls;
  // One server either way: an https.Server is an http.Server to everything below.
  const server: Server = tls
    ? createHttpsServer(
        { key: tls.key, cert: tls.cert, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
        listener,
      )
    : createServer(listener);
  server.keepAliveTimeout = 5_000;
  let connectionsOpened = 0;
  server.on(tls ? 'secureConnection' : 'connection', () => {
    connectionsOpened++;
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = await readBody(req);
    if (body === undefined) {
      send(res, { status: 413, contentType: 'text/plain', body: 'request body too large' });
      return;
    }
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      control(url, req.method ?? 'GET', body, res);
      return;
    }
    const clientCertificate = tls?.clientCa ? subjectOf(req.socket as TLSSocket) : undefined;
    const arrivedAt = Date.now();
    const request: SimulatorRequest = { method: req.method ?? 'GET', url, headers: req.headers, body, ...(clientCertificate ? { clientCertificate } : {}) };
    if (fault === 'down') {
      req.socket.destroy();
      return;
    }
    await delay(latencyMs);
    // Every call that reached the system is recorded, answered or not: tests count retries too.
    const handled = await definition.handle(request);
    let response: SimulatorResponse | undefined;
    switch (fault) {
      case 'hang':
        break; // the socket stays open until the client gives up or the simulator closes
      case 'http500':
        response = { status: 500, contentType: 'text/plain', body: 'Internal Server Error' };
        break;
      case 'fault':
        response = definition.renderFault(request);
        break;
      case 'malformed':
        response = { ...handled.response, status: 200, body: handled.response.body.slice(0, Math.max(1, Math.floor(handled.response.body.length / 3))) + '<<\u0000' };
        break;
      default:
        response = handled.response;
    }
    if (handled.record) {
      if (calls.length >= MAX_RECORDED_CALLS) calls.shift();
      calls.push({ ...handled.record, requestBody: body, responseBody: response?.body ?? '', arrivedAt, ...(clientCertificate ? { clientCertificate } : {}) });
    }
    if (response) send(res, response);
  }

  function control(url: URL, method: string, body: string, res: ServerResponse): void {
    const action = url.pathname.slice(CONTROL_PREFIX.length);
    if (action === '/calls' && method === 'GET') {
      const summary = calls.map(({ operation, key }) => ({ operation, key }));
      send(res, { status: 200, contentType: 'application/json', body: JSON.stringify(summary) });
      return;
    }
    if (action === '/reset' && method === 'POST') {
      calls.length = 0;
      fault = 'none';
      send(res, { status: 204, contentType: 'text/plain', body: '' });
      return;
    }
    if (action === '/fault' && method === 'POST') {
      let parsed: { mode?: unknown; latencyMs?: unknown };
      try {
        parsed = JSON.parse(body || '{}') as typeof parsed;
      } catch {
        send(res, { status: 400, contentType: 'text/plain', body: 'body must be JSON: {"mode": "...", "latencyMs": n}' });
        return;
      }
      if (parsed.mode !== undefined && !faultModes.includes(parsed.mode as FaultMode)) {
        send(res, { status: 400, contentType: 'text/plain', body: `mode must be one of ${faultModes.join(', ')}` });
        return;
      }
      if (parsed.latencyMs !== undefined && (typeof parsed.latencyMs !== 'number' || parsed.latencyMs < 0)) {
        send(res, { status: 400, contentType: 'text/plain', body: 'latencyMs must be a number >= 0' });
        return;
      }
      if (parsed.mode !== undefined) fault = parsed.mode as FaultMode;
      if (parsed.latencyMs !== undefined) latencyMs = parsed.latencyMs as number;
      send(res, { status: 200, contentType: 'application/json', body: JSON.stringify({ mode: fault, latencyMs }) });
      return;
    }
    send(res, { status: 404, contentType: 'text/plain', body: 'unknown control action' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    name: definition.name,
    url: `${tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`,
    calls,
    setFault: (mode) => {
      fault = mode;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    resetCalls: () => {
      calls.length = 0;
    },
    callsTo: (operation, key) => calls.filter((c) => c.operation === operation && (key === undefined || c.key === key)),
    connectionsOpened: () => connectionsOpened,
    close: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client certificate's subject as `CN=…, O=…`, or undefined. */
function subjectOf(socket: TLSSocket): string | undefined {
  const subject = socket.getPeerCertificate?.()?.subject as Record<string, string | string[]> | undefined;
  if (!subject || Object.keys(subject).length === 0) return undefined;
  return Object.entries(subject).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SimulatorResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-type': response.contentType });
  res.end(response.body);
}
