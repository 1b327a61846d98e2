/**
 * `npm run start:gateway`: the gateway alone, for deployments. Settings from the environment
 * (see gateway/config.ts): PORT, HOST, SUPERGRAPH_PATH or --supergraph FILE, SUBGRAPH_URL_<NAME>,
 * INTERNAL_TOKEN_PRIVATE_JWK (the key that signs subgraph calls; `npm run keys` makes a pair),
 * METRICS_PORT and METRICS_HOST (Prometheus /metrics on a listener of its own; off when unset),
 * LOG_LEVEL and LOG_FORMAT (JSON lines on stdout by default: runtime/log.ts), the OTEL_* variables
 * (traces over OTLP, off unless an endpoint is set: runtime/tracingSettings.ts).
 *
 * SIGINT or SIGTERM (or npm, its parent, gone) stops it: the gateway drains (SHUTDOWN_DELAY_MS,
 * then the requests in flight), then the access trail closes; see runtime/shutdown.ts.
 */
import { loadGatewayConfig, type GatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { readJwkFile } from '../runtime/keyFiles';
import { configureLogging, logger } from '../runtime/log';
import { DEFAULT_GRACE_MS, serveUntilStopped } from '../runtime/shutdown';
import { configuredAuditTrail } from '../audit';
import { explorerSamples } from './explorerSamples';
import { startTracing, type RunningTracing } from '../runtime/tracing';
import { loadTracingSettings, type TracingSettings } from '../runtime/tracingSettings';

let config: GatewayConfig;
let tracing: TracingSettings | undefined;
try {
  config = loadGatewayConfig();
  tracing = loadTracingSettings(process.env, 'gateway');
  if (!config.internalTokenKeyPath) throw new Error('INTERNAL_TOKEN_PRIVATE_JWK: set it to the gateway\'s private key file (`npm run keys` makes one)');
} catch (error) {
  // Said as it is, on stderr: the settings (LOG_LEVEL among them) are what a logger would need.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
configureLogging({ ...config.log, service: 'gateway' });

await serveUntilStopped(
  'gateway',
  () => start(config),
  (gateway) =>
    [
      `gateway ready at ${gateway.url}`,
      ...Object.entries(gateway.subgraphUrls).map(([name, url]) => `  subgraph ${name}: ${url}`),
      gateway.metrics.url ? `  metrics (Prometheus) at ${gateway.metrics.url}` : '  metrics: off (METRICS_PORT serves them)',
      tracing ? `  traces (OTLP/HTTP) to ${tracing.url}` : '  traces: off (OTEL_EXPORTER_OTLP_ENDPOINT sends them)',
    ].join('\n'),
  // The draining delay is asked for: it comes on top of the time to finish what is in flight.
  { graceMs: DEFAULT_GRACE_MS + config.shutdownDelayMs },
);

/**
 * The gateway, its access trail and its traces, closed in that order: the trail records what is
 * in flight, and the last spans are exported after the last answer.
 */
async function start(config: GatewayConfig) {
  const internalTokenKey = readJwkFile(config.internalTokenKeyPath!, 'INTERNAL_TOKEN_PRIVATE_JWK');
  const audit = config.audit ? await configuredAuditTrail(config.audit) : undefined;
  if (!audit) logger({ service: 'gateway' }).warn('no access trail configured (AUDIT_DIR or AUDIT_DATABASE_URL): development only');
  for (const advice of audit?.advice ?? []) logger({ service: 'gateway', component: 'audit' }).warn(advice);
  let traces: RunningTracing | undefined;
  try {
    // Before the gateway serves, so its first request is traced.
    traces = await startTracing(tracing, 'gateway');
    const gateway = await startGateway(config, {
      internalTokenKey,
      // The sample operations for the explorer (outside production); no demo roles: this gateway's identity provider is a real one.
      explorer: explorerSamples(undefined, undefined),
      ...(audit ? { audit: { trail: audit.trail, subjectKey: audit.keys.subjectKey } } : {}),
    });
    return {
      ...gateway,
      close: async () => {
        await gateway.close();
        await audit?.trail.close();
        await traces?.close();
      },
    };
  } catch (error) {
    await audit?.trail.close().catch(() => undefined);
    await traces?.close().catch(() => undefined);
    throw error;
  }
}
