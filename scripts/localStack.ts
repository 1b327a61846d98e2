/**
 * The whole house on localhost: every simulator, the three subgraphs and the gateway, each on
 * its own port. `npm start` runs it; end-to-end tests start it the same way (ephemeral ports).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunningSimulator, SimulatorOptions } from '../simulators/core/simulator';
import { startCprSimulator, CPR_SERVICE_PATH } from '../simulators/cpr/server';
import { NEMKONTO_SERVICE_PATH, startNemKontoSimulator } from '../simulators/nemkonto/server';
import { startCaseIndexSimulator, CASE_INDEX_SERVICE_PATH } from '../simulators/case-index/server';
import { esdhUrls, startCaseSystemSimulator, type RunningCaseSystemSimulator } from './caseSystemSimulators';
import { startBbrSimulator } from '../simulators/bbr/server';
import { startDarSimulator } from '../simulators/dar/server';
import { startKleSimulator } from '../simulators/kle/server';
import { buildWorld, forkWorld, type World } from '../simulators/data/world';
import { parseLegacyConfig, type LegacyConfig, type LegacyConfigInput } from '../subgraphs/shared/config';
import type { RunningSubgraph } from '../subgraphs/shared/subgraphServer';
import { parseGatewayConfig, type GatewayConfigInput } from '../gateway/config';
import { startGateway, type GatewayOptions, type RunningGateway } from '../gateway/server';
import type { AuditTrail } from '../audit';
import { devIdentityProvider, type DevIdentityProvider } from '../gateway/auth/devIdentity';
import { generateInternalTokenKeys, createInternalTokenVerifier, type InternalTokenKeys } from '../runtime/internalToken';
import { memoryReplayStore, redisReplayStore } from '../runtime/replayStore';
import { loadSubgraphList } from '../schema/subgraphs';
import { startListedSubgraph } from './startListed';
import { explorerSamples } from './explorerSamples';
import { processExists } from '../runtime/processes';
import { startTracing } from '../runtime/tracing';
import type { TracingSettings } from '../runtime/tracingSettings';

/** Default simulated latency per legacy call, in milliseconds: legacy systems are not instant. */
export const DEFAULT_LATENCY_MS: Readonly<Record<string, number>> = {
  cpr: 40,
  'case-index': 60,
  esdh: 50,
  bbr: 30,
  dar: 30,
  kle: 20,
  nemkonto: 40,
};

export interface LocalStackOptions {
  /** Simulated latency per system; 0 everywhere makes tests fast. */
  latencyMs?: Partial<Record<keyof typeof DEFAULT_LATENCY_MS, number>>;
  /** Gateway settings (port 0 for an ephemeral port). */
  gateway?: GatewayConfigInput;
  /** Legacy settings to override (timeouts, cache TTL, WSDL locations). */
  legacy?: Partial<LegacyConfigInput>;
  /** Use the simulators' own WSDLs (default) or other locations, e.g. the real published ones. */
  wsdl?: { cpr?: string; caseIndex?: string };
  /** The world to simulate (default: the seeded one); the stack writes into a copy of it, `stack.world`. */
  world?: World;
  /**
   * Authenticate clients against the development identity provider kept in this folder
   * (`npm start` uses .data/dev-idp); off when absent, so anyone may ask (tests of other things).
   */
  devIdentityDir?: string;
  /** On close, how long each subgraph's /ready says draining before it stops accepting (the gateway's: `gateway.shutdownDelayMs`). */
  subgraphShutdownDelayMs?: number;
  /** Options of the case index simulator beyond latency (e.g. an index that ignores AuthorityContext). */
  caseIndex?: { ignoreAuthorityContext?: boolean };
  /** Told which personal data each request touched (the audit trail's seam). */
  onAccess?: GatewayOptions['onAccess'];
  /** Record every access in this trail (fail closed); `npm start` keeps one in .data/audit. */
  audit?: { trail: AuditTrail; subjectKey: Buffer };
  /** Every subgraph remembers used internal tokens in this Redis (`redis://host:port`) instead of its own memory. */
  replayStoreUrl?: string;
  /**
   * Keep the tenant registry in this file (`npm start`: .data/tenants.json): written at start from
   * the world and this run's ESDH simulators, watched, and left in place on close. Absent: a
   * temporary file, removed on close.
   */
  tenantRegistryPath?: string;
  /**
   * The subgraph list to start (subgraphs.json by default; `npm start` takes SUBGRAPHS_CONFIG):
   * every subgraph it names is started, and the gateway serves the list's supergraph unless
   * `gateway.supergraphPath` names another.
   */
  subgraphListPath?: string;
  /**
   * Export the traces of every part (runtime/tracing.ts): `npm start` passes what the OTEL_*
   * variables say. Each part is its own service, in one process. Absent: no traces.
   */
  tracing?: TracingSettings;
}

export interface LocalStack {
  /** The development identity provider, when the stack authenticates clients. */
  devIdentity: DevIdentityProvider | undefined;
  world: World;
  gateway: RunningGateway;
  subgraphs: RunningSubgraph[];
  simulators: {
    cpr: RunningSimulator;
    caseIndex: RunningSimulator;
    bbr: RunningSimulator;
    dar: RunningSimulator;
    kle: RunningSimulator;
    nemkonto: RunningSimulator;
    esdh: ReadonlyMap<string, RunningSimulator>;
  };
  legacyConfig: LegacyConfig;
  /** The tenant registry file the subgraphs and the gateway read (and re-read when it changes). */
  tenantRegistryPath: string;
  /** The gateway's internal-token keys (generated for this stack). */
  internalTokenKeys: InternalTokenKeys;
  /** Every simulator, for counting calls or switching faults in bulk. */
  allSimulators(): RunningSimulator[];
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Its own copy: the case writes this stack's ESDH makes stay in this stack.
  const world = forkWorld(options.world ?? buildWorld());
  const latency = (system: string): SimulatorOptions => ({
    latencyMs: options.latencyMs?.[system] ?? DEFAULT_LATENCY_MS[system] ?? 0,
  });
  const started: { close(): Promise<void> }[] = [];
  try {
    const [cpr, caseIndex, bbr, dar, kle, nemkonto, ...esdhList] = await Promise.all([
      startCprSimulator({ world, ...latency('cpr') }),
      startCaseIndexSimulator({ world, ...latency('case-index'), ...options.caseIndex }),
      startBbrSimulator({ world, ...latency('bbr') }),
      startDarSimulator({ world, ...latency('dar') }),
      startKleSimulator({ world, ...latency('kle') }),
      startNemKontoSimulator({ world, ...latency('nemkonto') }),
      // Each municipality's ESDH of the vendor it runs: the demo REST ESDH, or Acadre v7 (Odense).
      ...world.municipalities.map((m) => startCaseSystemSimulator(world, m, latency('esdh'))),
    ]);
    started.push(cpr, caseIndex, bbr, dar, kle, nemkonto, ...esdhList);
    const esdhSimulators = esdhList as RunningCaseSystemSimulator[];
    const esdh = new Map<string, RunningSimulator>(world.municipalities.map((m, i) => [m.code, esdhSimulators[i]!]));

    // The tenant registry is a file, as in a deployment: tests change it to move or add systems.
    const tenantRegistryPath = options.tenantRegistryPath ?? temporaryRegistryPath(started);
    writeLocalRegistry(tenantRegistryPath, {
      municipalities: world.municipalities.map((m, i) => ({ code: m.code, name: m.name, cvr: m.cvr, esdh: esdhSimulators[i]!.registryEntry(dirname(tenantRegistryPath)) })),
    });

    const legacyConfig = parseLegacyConfig({
      cpr: {
        wsdl: options.wsdl?.cpr ?? `${cpr.url}${CPR_SERVICE_PATH}?wsdl`,
        endpoint: `${cpr.url}${CPR_SERVICE_PATH}`,
        invocationContext: {
          serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
          userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
          userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
          serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
        },
      },
      caseIndex: {
        wsdl: options.wsdl?.caseIndex ?? `${caseIndex.url}${CASE_INDEX_SERVICE_PATH}?wsdl`,
        endpoint: `${caseIndex.url}${CASE_INDEX_SERVICE_PATH}`,
      },
      nemkonto: { wsdl: `${nemkonto.url}${NEMKONTO_SERVICE_PATH}?wsdl`, endpoint: `${nemkonto.url}${NEMKONTO_SERVICE_PATH}` },
      bbr: { url: bbr.url },
      dar: { url: dar.url },
      kle: { url: kle.url },
      tenantRegistry: tenantRegistryPath,
      ...options.legacy,
    });

    const internalTokenKeys = await generateInternalTokenKeys();
    // Before the parts start, so their first request is traced; closed after them, so it is exported.
    // The gateway first: spans made outside any request are the first part's.
    const subgraphList = loadSubgraphList(options.subgraphListPath);
    for (const part of ['gateway', ...subgraphList.subgraphs.map((entry) => `subgraph:${entry.name}`)]) {
      const tracing = await startTracing(options.tracing, part);
      if (tracing) started.push(tracing);
    }
    const subgraphOptions = async (subgraph: string) => ({
      internalTokens: await createInternalTokenVerifier(internalTokenKeys.publicJwk, {
        subgraph,
        replay: options.replayStoreUrl ? redisReplayStore(options.replayStoreUrl) : memoryReplayStore(),
      }),
      ...(options.subgraphShutdownDelayMs ? { shutdownDelayMs: options.subgraphShutdownDelayMs } : {}),
    });
    // Every subgraph the list names, started as `npm run start:subgraph` starts it; those that
    // started are closed with the stack even when another one fails to.
    const startedSubgraphs = await Promise.allSettled(
      subgraphList.subgraphs.map(async (entry) => startListedSubgraph(entry, legacyConfig, await subgraphOptions(entry.name))),
    );
    const subgraphs = startedSubgraphs.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    started.push(...subgraphs);
    const failed = startedSubgraphs.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const devIdentity = options.devIdentityDir ? await devIdentityProvider(options.devIdentityDir) : undefined;
    const gateway = await startGateway(
      parseGatewayConfig({
        port: 0,
        host: 'localhost',
        ...(devIdentity ? { auth: { issuer: devIdentity.issuer, audience: devIdentity.audience, jwksPath: devIdentity.jwksPath } } : {}),
        tenantRegistryPath,
        ...(options.subgraphListPath ? { supergraphPath: subgraphList.supergraphPath } : {}),
        ...options.gateway,
        subgraphUrls: Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
      }),
      {
        internalTokenKey: internalTokenKeys.privateJwk,
        explorer: explorerSamples(world, devIdentity),
        ...(options.audit
          ? { audit: options.audit }
          : options.onAccess
            ? { onAccess: options.onAccess }
            : {}),
      },
    );
    started.push(gateway);

    return {
      world,
      devIdentity,
      gateway,
      subgraphs,
      simulators: { cpr, caseIndex, bbr, dar, kle, nemkonto, esdh },
      legacyConfig,
      tenantRegistryPath,
      internalTokenKeys,
      allSimulators: () => [cpr, caseIndex, bbr, dar, kle, nemkonto, ...esdh.values()],
      close: () => closeAll(started),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

/** Closes in reverse start order: the gateway first, the simulators last. */
async function closeAll(started: { close(): Promise<void> }[]): Promise<void> {
  for (const piece of [...started].reverse()) await piece.close().catch(() => undefined);
}

const TEMPORARY_REGISTRY_PREFIX = 'kommune-graph-tenants-';

/**
 * A temporary registry folder named with this process's pid, removed on close. A process killed
 * before its close leaves its folder: the next stack to start removes those of pids no longer alive.
 */
function temporaryRegistryPath(started: { close(): Promise<void> }[]): string {
  removeRegistriesOfDeadProcesses();
  const dir = mkdtempSync(join(tmpdir(), `${TEMPORARY_REGISTRY_PREFIX}${process.pid}-`));
  started.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
  return join(dir, 'tenants.json');
}

function removeRegistriesOfDeadProcesses(): void {
  const pattern = new RegExp(`^${TEMPORARY_REGISTRY_PREFIX}(\\d+)-`);
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(pattern.exec(name)?.[1] ?? 0);
    if (pid > 0 && !processExists(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * Writes the stack's registry, replacing the one a previous run left: the simulators take new
 * ports on every run, so its ESDH URLs would point at nothing. A file naming any ESDH that is not
 * on this machine is somebody's real registry, and is refused rather than overwritten.
 */
function writeLocalRegistry(path: string, registry: { municipalities: { esdh: object }[] }): void {
  if (existsSync(path)) {
    const foreign = foreignEsdhUrls(readFileSync(path, 'utf8'));
    if (foreign.length > 0) {
      throw new Error(
        `tenant registry ${path}: it names ESDHs that are not local simulators (${foreign.join(', ')}); ` +
          'this stack writes its own registry there and will not replace that one. Name a file that does not exist yet, or delete it.',
      );
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(registry, null, 2)}\n`);
}

/** The ESDH URLs of a registry's text that are not on this machine; the text itself when it is no registry. */
function foreignEsdhUrls(text: string): string[] {
  try {
    const urls = (JSON.parse(text) as { municipalities: { esdh: unknown }[] }).municipalities.flatMap((m) => esdhUrls(m.esdh));
    return urls.filter((url) => !['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname));
  } catch {
    return ['(the file is not a tenant registry)'];
  }
}
