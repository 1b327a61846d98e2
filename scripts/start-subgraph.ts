/**
 * `npm run start:subgraph -- NAME`: one subgraph the list names (subgraphs.json, or the file
 * SUBGRAPHS_CONFIG names), for deployments. Legacy system locations come from the JSON file
 * LEGACY_CONFIG names (config/legacy.example.json);
 * PORT and HOST set where it listens (defaults: the port in its listed URL, 127.0.0.1);
 * INTERNAL_TOKEN_PUBLIC_JWK names the gateway's public key, without which no call is accepted;
 * INTERNAL_TOKEN_REPLAY_STORE where used tokens are remembered (`redis://host:port`, shared by
 * the replicas of a subgraph; default this process's memory);
 * SHUTDOWN_DELAY_MS how long /ready says "draining" on SIGTERM before it stops accepting;
 * METRICS_PORT (and METRICS_HOST, default 127.0.0.1) where Prometheus scrapes its /metrics (off
 * when unset): legacy calls, breakers, registry cache, process (subgraphs/shared/metrics.ts);
 * LOG_LEVEL and LOG_FORMAT as for the gateway (JSON lines on stdout by default: runtime/log.ts);
 * the OTEL_* variables as for the gateway (traces, off unless an endpoint is set).
 * SIGINT or SIGTERM (or npm, its parent, gone) stops it, the requests in flight finished: runtime/shutdown.ts.
 */
import { loadSubgraphList, type SubgraphList } from '../schema/subgraphs';
import { loadLegacyConfig } from '../subgraphs/shared/config';
import { createInternalTokenVerifier } from '../runtime/internalToken';
import { replayStoreFrom } from '../runtime/replayStore';
import { readJwkFile } from '../runtime/keyFiles';
import { configureLogging, loadLogSettings } from '../runtime/log';
import { isLoopback, loadMetricsListener, startMetricsServer, type MetricsListener, type RunningMetricsServer } from '../runtime/metrics';
import { DEFAULT_GRACE_MS, serveUntilStopped } from '../runtime/shutdown';
import { startTracing, type RunningTracing } from '../runtime/tracing';
import { loadTracingSettings, type TracingSettings } from '../runtime/tracingSettings';
import { startListedSubgraph } from './startListed';

let list: SubgraphList;
try {
  list = loadSubgraphList(process.env['SUBGRAPHS_CONFIG'] || undefined);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const name = process.argv[2];
const entry = name ? list.byName(name) : undefined;
if (!entry) {
  if (name) console.error(`no subgraph named ${name} in ${list.path}`);
  console.error(`usage: npm run start:subgraph -- <${list.names.join('|')}>`);
  process.exit(2);
}
const shutdownDelayMs = Number(process.env['SHUTDOWN_DELAY_MS'] ?? 0) || 0;
const port = Number(process.env['PORT'] ?? new URL(entry.url).port);
let metricsListener: MetricsListener | undefined;
let tracing: TracingSettings | undefined;
try {
  metricsListener = loadMetricsListener(process.env, `subgraph ${entry.name}`, port);
  tracing = loadTracingSettings(process.env, `subgraph ${entry.name}`);
  configureLogging({ ...loadLogSettings(process.env, `subgraph ${entry.name}`), service: `subgraph:${entry.name}` });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
let metricsServer: RunningMetricsServer | undefined;
let traces: RunningTracing | undefined;
await serveUntilStopped(
  `subgraph ${entry.name}`,
  async () => {
    const keyPath = process.env['INTERNAL_TOKEN_PUBLIC_JWK'];
    if (!keyPath) throw new Error('INTERNAL_TOKEN_PUBLIC_JWK: set it to the gateway\'s public key file (`npm run keys` makes one)');
    const publicJwk = readJwkFile(keyPath, 'INTERNAL_TOKEN_PUBLIC_JWK');
    let replay;
    try {
      replay = replayStoreFrom(process.env['INTERNAL_TOKEN_REPLAY_STORE']);
    } catch (error) {
      throw new Error(`INTERNAL_TOKEN_REPLAY_STORE: ${(error as Error).message}`);
    }
    // Before the subgraph serves, so its first request is traced; stopped after it has drained.
    traces = await startTracing(tracing, `subgraph:${entry.name}`);
    const subgraph = await startListedSubgraph(entry, loadLegacyConfig(), {
      internalTokens: await createInternalTokenVerifier(publicJwk, { subgraph: entry.name, replay }),
      port,
      host: process.env['HOST'] ?? '127.0.0.1',
      shutdownDelayMs,
    }).catch(async (error: unknown) => {
      await traces?.close();
      throw error;
    });
    if (metricsListener) {
      // The process's series: the subgraph reports into them (subgraphs/shared/metrics.ts).
      metricsServer = await startMetricsServer(metricsListener).catch(async (error: unknown) => {
        await subgraph.close();
        await traces?.close();
        throw new Error(`METRICS_PORT: the metrics listener cannot listen on ${metricsListener!.host}:${metricsListener!.port}: ${(error as Error).message}`);
      });
    }
    return {
      ...subgraph,
      close: async () => {
        await subgraph.close();
        await metricsServer?.close();
        await traces?.close();
      },
    };
  },
  (subgraph) =>
    [
      `subgraph ${entry.name} ready at ${subgraph.url}`,
      metricsServer ? `  metrics (Prometheus) at ${metricsServer.url}` : '  metrics: off (METRICS_PORT serves them)',
      traces ? `  traces (OTLP/HTTP) to ${traces.url}` : '  traces: off (OTEL_EXPORTER_OTLP_ENDPOINT sends them)',
      ...(metricsServer && !isLoopback(metricsListener!.host) ? [`  warning: the metrics listener is bound to METRICS_HOST=${metricsListener!.host}, beyond loopback, without authentication: let only Prometheus reach that port`] : []),
    ].join('\n'),
  { graceMs: DEFAULT_GRACE_MS + shutdownDelayMs },
);
