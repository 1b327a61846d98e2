/**
 * Prometheus metrics plumbing shared by the gateway and the subgraphs (prom-client 15): the
 * process's own series (Node's default metrics), the listener that serves `/metrics` apart from
 * the API, and its settings. What each kind of process measures is defined in one module of its
 * own (gateway/metrics.ts, subgraphs/shared/metrics.ts); this file knows none of it.
 *
 * Why a listener of its own rather than a route on the API port: Prometheus scrapes a port of its
 * own in every setup we know, the API port faces clients (and a load balancer) while metrics are
 * for operators, and a separate port can be bound to loopback or firewalled without touching the
 * API. It is off unless METRICS_PORT is set, and binds 127.0.0.1 unless METRICS_HOST says otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { parseConfig } from './config';

/** Where the listener serves the metrics; every other path is 404. */
export const METRICS_PATH = '/metrics';

export const metricsDefaults = {
  // loopback only: metrics say what the deployment does and when; exposing them is a decision
  host: '127.0.0.1',
} as const;

/** The port of a metrics listener (METRICS_PORT): 0 takes a free one, which the start commands print. */
export const metricsPortSchema = z.coerce
  .number({ error: 'must be a port number, 0 to 65535 (METRICS_PORT)' })
  .int('must be a whole port number, 0 to 65535 (METRICS_PORT)')
  .min(0, 'must be a port number, 0 to 65535 (METRICS_PORT)')
  .max(65_535, 'must be a port number, 0 to 65535 (METRICS_PORT)');

/** The interface a metrics listener binds (METRICS_HOST). */
export const metricsHostSchema = z.string().min(1, 'must name an interface to listen on, e.g. 127.0.0.1 (METRICS_HOST)');

/** Where a metrics listener listens. */
export interface MetricsListener {
  port: number;
  host: string;
}

const listenerSettingsSchema = z
  .object({ port: metricsPortSchema.optional(), host: metricsHostSchema.optional(), servicePort: z.number().optional() })
  .superRefine((settings, context) => {
    if (settings.host !== undefined && settings.port === undefined) {
      context.addIssue({ code: 'custom', path: ['host'], message: 'METRICS_HOST is set but METRICS_PORT is not: metrics are served only on the port METRICS_PORT names' });
    }
    if (settings.port !== undefined && settings.port !== 0 && settings.port === settings.servicePort) {
      context.addIssue({ code: 'custom', path: ['port'], message: `METRICS_PORT must differ from PORT (both ${settings.port}): metrics are served apart from the API` });
    }
  });

/**
 * The metrics listener a process's environment asks for (METRICS_PORT, METRICS_HOST), or
 * undefined when METRICS_PORT is not set. Throws ConfigInvalid naming every problem. The gateway
 * reads the same variables through its own schema (gateway/config.ts), with the same rules.
 */
export function loadMetricsListener(env: NodeJS.ProcessEnv, what: string, servicePort?: number): MetricsListener | undefined {
  const parsed = parseConfig(`${what} metrics`, listenerSettingsSchema, {
    ...(env['METRICS_PORT'] ? { port: env['METRICS_PORT'] } : {}),
    ...(env['METRICS_HOST'] ? { host: env['METRICS_HOST'] } : {}),
    ...(servicePort !== undefined ? { servicePort } : {}),
  });
  return parsed.port === undefined ? undefined : { port: parsed.port, host: parsed.host ?? metricsDefaults.host };
}

let nodeDefaults: Registry | undefined;
/** Parts of this process that report into one shared registry each (the subgraphs under npm start). */
const processParts = new Set<Registry>();

/**
 * Node's default metrics of this process (resident memory, heap, CPU, event-loop lag, GC, open
 * handles), collected once per process however many listeners serve them: prom-client refuses
 * to register them twice in one registry, and two registries would only measure the same thing.
 */
export function processMetrics(): Registry {
  if (!nodeDefaults) {
    nodeDefaults = new Registry();
    collectDefaultMetrics({ register: nodeDefaults });
  }
  return nodeDefaults;
}

/**
 * Adds a registry whose series every metrics listener of this process serves, whoever started
 * it: under npm start the subgraphs run in the gateway's process and their series are served by
 * the gateway's listener. One registry per part kind: two with the same metric names would make
 * the exposition invalid. Returns the removal.
 */
export function addProcessMetrics(registry: Registry): () => void {
  processParts.add(registry);
  return () => processParts.delete(registry);
}

/** The exposition of the process's series and `own`, in the Prometheus text format. */
export async function metricsText(own: readonly Registry[] = []): Promise<string> {
  const registries = [...new Set([processMetrics(), ...processParts, ...own])];
  const texts = await Promise.all(registries.map((registry) => registry.metrics()));
  return texts.map((text) => (text.endsWith('\n') || text === '' ? text : `${text}\n`)).join('');
}

export interface RunningMetricsServer {
  /** The URL Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (the process's series and `own`) on its own listener. Nothing else is
 * served there: no API, no health, no audit; any other path is 404, any other method 405.
 */
export async function startMetricsServer(listener: MetricsListener, own: readonly Registry[] = []): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Not found: metrics are at ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    metricsText(own).then(
      (text) => {
        res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        // A collect function that throws is a bug of ours; the scrape fails visibly (Prometheus marks the target down).
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n');
      },
    );
  });
  // A scrape is one short request: an idle scraper connection need not hold the port open for long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => {
      server.close();
      reject(error);
    };
    server.once('error', refused);
    server.listen(listener.port, listener.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}${METRICS_PATH}`,
    server,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Nothing in flight here is worth waiting for: a scrape missed at shutdown is retried elsewhere.
        server.closeAllConnections();
      })),
  };
}

/** Whether a listener's interface is loopback only (else the start commands warn: the metrics face the network). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
