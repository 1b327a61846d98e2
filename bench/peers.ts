/**
 * `npm run bench:peers`: ours beside other Node gateways, on the same subgraphs and supergraph, in
 * one run (issue 14). Figures, never assertions.
 *
 * 1. Installs the peers into bench/.peers (git-ignored; skipped when already at the pinned
 *    versions): @graphql-hive/gateway and @graphql-hive/router-runtime. Plain @apollo/gateway is
 *    the project's own copy.
 * 2. Starts the four subgraphs of the community benchmark's shape, each in its own process on an
 *    ephemeral port, and composes one supergraph of them with @apollo/composition.
 * 3. Starts each gateway in its own process, one at a time (plain @apollo/gateway, Hive Gateway
 *    with defaults, Hive Gateway with the Rust query planner, ours), and drives it with
 *    autocannon through each workload (bench/peers/workloads.ts): a check of the answer, a
 *    warm-up, then the measured run. Hive is started a second time for (c), de-duplication off.
 * 4. Measures per gateway and workload: RPS, latency p50/p95/p99, errors, non-2xx and GraphQL
 *    errors, the gateway process's peak RSS (VmHWM, reset per workload), CPU seconds of the gateway
 *    and of the subgraphs (/proc/PID/stat), and subgraph fetches per operation (the subgraphs count
 *    what they answer).
 * 5. Prints the table with ours/peer for every figure, writes bench/results/peers-DATE.json and
 *    refreshes the `bench:peers` section of bench/README.md.
 *
 * Options: --seconds N per workload (default 10), --connections C (50), --warmup S (seconds before
 * each measured run; default a fifth of N, 1 to 3), --only plain,hive,hive-rust,ours,
 * --workloads a,b,c,d, --no-record (print only: no JSON, no README), --cpu-prof DIR (each gateway
 * under `node --cpu-prof`, its profiles written to DIR/GATEWAY when it stops; the largest is the main thread's).
 * --ours-trail embedded (ours with its embedded access trail open in a folder of the run's, AUDIT_DIR, for
 * its memory with the trail on; the workloads read no personal data, so nothing is recorded).
 *
 * A peer that cannot be installed or started is reported with the reason, and the others run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, release, tmpdir, type } from 'node:os';
import { join, resolve } from 'node:path';
import { generateInternalTokenKeys } from '../runtime/internalToken';
import { composeSupergraph } from './peers/composeSupergraph';
import { drive } from './peers/drive';
import { GATEWAY_IDS, GATEWAYS, OURS_FEATURES, ROOT, type GatewayId, type GatewaySpec, type Launch, BUILT_DIR } from './peers/gateways';
import { ensurePeers, PEERS_DIR } from './peers/installPeers';
import { buildBundles } from '../scripts/build';
import { cpuSeconds, rssMb, watchProcessTree } from './peers/processStats';
import { refreshReadme, table, type Measurement } from './peers/report';
import { SUBGRAPH_NAMES, type SubgraphName } from './peers/subgraphs';
import { LIGHT_QUERY, OVERVIEW, PLANNED, WORKLOADS, type Workload, type WorkloadId } from './peers/workloads';

// ─── Options ─────────────────────────────────────────────────────────────────────────────────

const USAGE = 'usage: npm run bench:peers -- [--seconds N] [--connections C] [--warmup S] [--only plain,hive,hive-rust,ours] [--workloads a,b,c,d] [--no-record] [--cpu-prof DIR] [--ours-trail off|embedded]';

interface Options {
  seconds: number;
  connections: number;
  warmupSeconds: number;
  only: GatewayId[];
  workloads: WorkloadId[];
  record: boolean;
  /** Each gateway process runs under `node --cpu-prof`, its profile written to this folder when it stops. */
  cpuProfileDir: string | undefined;
  /** Ours with its embedded access trail open (AUDIT_DIR), as a gateway without a PostgreSQL server runs. */
  oursTrail: 'off' | 'embedded';
}

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  let record = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-record') {
      record = false;
      continue;
    }
    const match = /^--(seconds|connections|warmup|only|workloads|cpu-prof|ours-trail)(?:=(.*))?$/.exec(arg);
    if (!match) fail(`unknown argument ${arg}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) fail(`--${match[1]} needs a value`);
    values.set(match[1]!, value);
  }
  const number = (key: string, fallback: number) => {
    const raw = values.get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) fail(`--${key} must be a positive number, not ${raw}`);
    return n;
  };
  const seconds = number('seconds', 10);
  const list = <T extends string>(key: string, known: readonly T[], planned: Readonly<Record<string, string>> = {}): T[] => {
    const raw = values.get(key);
    if (raw === undefined) return [...known];
    const picked = raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of picked) if (!known.includes(p as T) && !(p in planned)) fail(`--${key}: ${p} is not one of ${[...known, ...Object.keys(planned)].join(', ')}`);
    for (const p of picked) if (p in planned) console.log(`workload (${p}): ${planned[p]}; skipped`);
    // In the fixed order, so every run's table reads the same way.
    return known.filter((k) => picked.includes(k));
  };
  return {
    seconds,
    connections: Math.round(number('connections', 50)),
    warmupSeconds: number('warmup', Math.min(3, Math.max(1, Math.round(seconds / 5)))),
    only: list('only', GATEWAY_IDS),
    workloads: list('workloads', [...Object.keys(WORKLOADS), OVERVIEW.id] as WorkloadId[], PLANNED),
    record,
    cpuProfileDir: values.has('cpu-prof') ? resolve(values.get('cpu-prof')!) : undefined,
    oursTrail: ((trail) => (trail === 'off' || trail === 'embedded' ? trail : fail(`--ours-trail must be off or embedded, not ${trail}`)))(values.get('ours-trail') ?? 'off'),
  };
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const options = parseOptions(process.argv.slice(2));
const log = (line: string) => console.log(line);

// ─── Child processes ─────────────────────────────────────────────────────────────────────────

interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last few KB of what it printed, to say why it failed. */
  output(): string;
  exited: Promise<void>;
  hasExited(): boolean;
}

const children = new Set<Child>();
const OUTPUT_KEPT = 4_000;

function startChild(name: string, args: string[], launch: Pick<Launch, 'cwd' | 'env'>, ipc = false): Child {
  const child = spawn(process.execPath, args, { cwd: launch.cwd, env: launch.env, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      gone = true;
      resolve();
    });
    child.on('error', (error) => {
      keep(Buffer.from(`\n[spawn] ${error.message}\n`));
      gone = true;
      resolve();
    });
  });
  const handle: Child = { name, process: child, pid: child.pid ?? -1, output: () => output, exited, hasExited: () => gone };
  children.add(handle);
  void exited.then(() => children.delete(handle));
  return handle;
}

async function stopChild(child: Child): Promise<void> {
  if (child.hasExited()) return;
  child.process.kill('SIGTERM');
  const killed = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(killed);
}

/** The last lines a child printed, for an error message. */
const tail = (child: Child, lines = 12) => child.output().trim().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForOutput(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output());
      if (match) return finish(() => resolve(match));
      if (child.hasExited()) return finish(() => reject(new Error(`${child.name} exited before it was ready:\n${tail(child)}`)));
    };
    const timer = setInterval(check, 50);
    const deadline = setTimeout(() => finish(() => reject(new Error(`${child.name} not ready after ${timeoutMs / 1000} s:\n${tail(child)}`))), timeoutMs);
    const finish = (then: () => void) => {
      clearInterval(timer);
      clearTimeout(deadline);
      then();
    };
  });
}

async function post(url: string, body: string, timeoutMs = 30_000): Promise<{ status: number; json: { data?: unknown; errors?: { message: string }[] } | undefined; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let json: { data?: unknown; errors?: { message: string }[] } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Ready: the light query answers 200 with data. */
async function waitForGateway(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const body = JSON.stringify({ query: LIGHT_QUERY });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.hasExited()) throw new Error(`exited before it was ready:\n${tail(child)}`);
    try {
      const { status, json, text } = await post(url, body, 2_000);
      if (status === 200 && json?.data) return;
      last = `HTTP ${status}: ${text.slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s (last: ${last}):\n${tail(child)}`);
}

// ─── Subgraphs ───────────────────────────────────────────────────────────────────────────────

interface Subgraph {
  name: SubgraphName;
  child: Child;
  url: string;
}

/** How many GraphQL requests a subgraph has answered, asked over IPC. */
function countOf(subgraph: Subgraph): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${subgraph.name} did not report its count`)), 5_000);
    const onMessage = (message: { type?: string; requests?: number }) => {
      if (message?.type !== 'count') return;
      clearTimeout(timer);
      subgraph.child.process.off('message', onMessage);
      resolve(message.requests ?? 0);
    };
    subgraph.child.process.on('message', onMessage);
    subgraph.child.process.send({ type: 'count' });
  });
}

async function counts(subgraphs: readonly Subgraph[]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(subgraphs.map(async (s) => [s.name, await countOf(s)] as const)));
}

// ─── One gateway ─────────────────────────────────────────────────────────────────────────────

/** Every key sorted, so two answers compare by content, whatever order a gateway writes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

const references = new Map<string, { gateway: GatewayId; data: string }>();
const measurements: Measurement[] = [];
const failures: Partial<Record<GatewayId, string>> = {};
const configurations: Partial<Record<GatewayId, { label: string; versions: Record<string, string>; dedup: string; configuration: Record<string, string[]> }>> = {};

async function checkAnswer(spec: GatewaySpec, url: string, workload: Workload, body: string): Promise<string> {
  const { status, json, text } = await post(url, body);
  if (status !== 200 || !json) return `HTTP ${status}: ${text.slice(0, 200)}`;
  if (json.errors?.length) return `errors: ${json.errors.map((e) => e.message).join('; ').slice(0, 300)}`;
  const data = canonical(json.data);
  const reference = references.get(workload.query);
  if (!reference) {
    references.set(workload.query, { gateway: spec.id, data });
    return `reference (${spec.id}, ${text.length} bytes)`;
  }
  return reference.data === data ? `same as ${reference.gateway}'s` : `DIFFERS from ${reference.gateway}'s (${text.length} bytes)`;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

async function runGateway(spec: GatewaySpec, workloads: readonly Workload[], dedupOff: boolean, context: { dir: string; supergraphPath: string; internalTokenKeyPath: string; subgraphs: Subgraph[] }): Promise<void> {
  const port = await freePort();
  const launch = spec.launch({ supergraphPath: context.supergraphPath, port, dir: context.dir, dedupOff, internalTokenKeyPath: context.internalTokenKeyPath, ...(options.oursTrail === 'embedded' ? { trailDir: join(context.dir, `trail-${dedupOff ? 'dedup-off' : 'default'}`) } : {}) });
  const instance = dedupOff ? 'dedup-off' : 'default';
  (configurations[spec.id] ??= { label: spec.label, versions: spec.versions(), dedup: spec.dedup.note, configuration: {} }).configuration[instance] = launch.configuration;
  log(`\n[${spec.id}] ${spec.label} (${Object.entries(spec.versions()).map(([n, v]) => `${n} ${v}`).join(', ')})${dedupOff ? ', in-flight de-duplication off' : ''}`);
  for (const line of launch.configuration) log(`  ${line}`);
  const url = `http://127.0.0.1:${port}/graphql`;
  const startedAt = performance.now();
  // Node's own flag, before the script: the profile covers the gateway's whole life, warm-up included.
  // Node names the files (one per thread: the loader's hooks thread writes its own); a folder per gateway.
  const args = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, `${spec.id}${dedupOff ? '-dedup-off' : ''}`)}`, ...launch.args] : launch.args;
  const child = startChild(spec.id, args, launch);
  try {
    await waitForGateway(child, url, 90_000);
  } catch (error) {
    failures[spec.id] = `did not start${dedupOff ? ' (de-duplication off)' : ''}: ${(error as Error).message.split('\n')[0]}`;
    log(`  FAILED to start: ${(error as Error).message}`);
    await stopChild(child);
    return;
  }
  log(`  ready in ${fmt((performance.now() - startedAt) / 1000)} s at ${url} (pid ${child.pid}, ${fmt(rssMb(child.pid), 0)} MB RSS)`);
  try {
    for (const workload of workloads) {
      if (child.hasExited()) break;
      const body = JSON.stringify({ query: workload.query, operationName: workload.operationName });
      const answer = await checkAnswer(spec, url, workload, body).catch((error: unknown) => `no answer: ${(error as Error).message}`);
      log(`  (${workload.id}) ${workload.title}: answer ${answer}; warm-up ${options.warmupSeconds} s…`);
      await drive({ url, body, seconds: options.warmupSeconds, connections: options.connections });
      const fetchesBefore = await counts(context.subgraphs);
      const subgraphCpuBefore = context.subgraphs.reduce((sum, s) => sum + cpuSeconds(s.child.pid), 0);
      const loadCpuBefore = process.cpuUsage();
      const watch = watchProcessTree(child.pid);
      const result = await drive({
        url,
        body,
        seconds: options.seconds,
        connections: options.connections,
        onSecond: (elapsed, responses) => {
          if (process.stdout.isTTY) process.stdout.write(`\r      ${fmt(elapsed, 0)}/${options.seconds} s, ${responses} responses`);
        },
      });
      if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
      const usage = watch.stop();
      const loadCpu = process.cpuUsage(loadCpuBefore);
      const subgraphCpu = context.subgraphs.reduce((sum, s) => sum + cpuSeconds(s.child.pid), 0) - subgraphCpuBefore;
      const fetchesAfter = await counts(context.subgraphs);
      const subgraphFetches = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, (fetchesAfter[n] ?? 0) - (fetchesBefore[n] ?? 0)]));
      const totalFetches = Object.values(subgraphFetches).reduce((a, b) => a + b, 0);
      const m: Measurement = {
        gateway: spec.id,
        workload: workload.id,
        requests: result.requests,
        rps: result.rps,
        latencyMs: result.latencyMs,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        graphqlErrors: result.graphqlErrors,
        ...(result.firstError ? { firstError: result.firstError } : {}),
        answer,
        peakRssMb: usage.peakRssMb,
        gatewayProcesses: usage.processes,
        gatewayCpuSeconds: usage.cpuSeconds,
        subgraphCpuSeconds: subgraphCpu,
        loadGeneratorCpuSeconds: (loadCpu.user + loadCpu.system) / 1e6,
        subgraphFetches,
        fetchesPerOperation: result.requests > 0 ? totalFetches / result.requests : Number.NaN,
        dedup: workload.dedupOff ? (spec.dedup.exists ? 'turned off' : spec.dedup.note) : spec.dedup.exists ? 'on (default)' : spec.dedup.note,
      };
      measurements.push(m);
      log(
        `      ${fmt(m.rps)} req/s, p50 ${fmt(m.latencyMs.p50)} / p95 ${fmt(m.latencyMs.p95)} / p99 ${fmt(m.latencyMs.p99)} ms; errors ${m.errors}, timeouts ${m.timeouts}, non-2xx ${m.non2xx}, GraphQL errors ${m.graphqlErrors}; ` +
          `peak RSS ${fmt(m.peakRssMb, 0)} MB${m.gatewayProcesses > 1 ? ` (${m.gatewayProcesses} processes)` : ''}; CPU gateway ${fmt(m.gatewayCpuSeconds)} s, subgraphs ${fmt(m.subgraphCpuSeconds)} s, load generator ${fmt(m.loadGeneratorCpuSeconds)} s; ` +
          `${fmt(m.fetchesPerOperation, 2)} subgraph fetches/op`,
      );
      if (m.firstError) log(`      first GraphQL error body: ${m.firstError.slice(0, 300)}`);
    }
    if (child.hasExited()) {
      failures[spec.id] = `exited during the run:\n${tail(child)}`;
      log(`  EXITED during the run:\n${tail(child)}`);
    }
  } finally {
    await stopChild(child);
  }
}

// ─── Workload (d): ours alone, over the simulators ─────────────────────────────────────────

interface OverviewFigures {
  sequential: { requests: number; p50: number; p95: number; max: number };
  legacyCallsPerQuery: number;
  legacyCallsBySystem: Record<string, number>;
  criticalPathMs: { cold: number; warm: number };
  floorMs: { coldMs: number; warmMs: number };
  load: { connections: number; seconds: number; requests: number; rps: number; latencyMs: { p50: number; p90: number; p99: number; max: number }; errors: number; timeouts: number; non2xx: number };
  cpuMsPerRequest: number;
  trail?: { records: number; intact: boolean };
}
let overviewFigures: OverviewFigures | undefined;

/**
 * `npm run bench` with tokens and the embedded trail on, in a child process watched like a gateway
 * (its peak RSS and CPU are the whole house's: simulators, subgraphs, gateway and trail).
 */
async function runOverview(dir: string): Promise<void> {
  const jsonPath = join(dir, 'overview.json');
  log(`\n[ours] (d) ${OVERVIEW.title}: npm run bench with BENCH_AUTH=on BENCH_AUDIT=pglite, ${options.connections} connections, ${options.seconds} s`);
  const env = { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', BENCH_AUTH: 'on', BENCH_AUDIT: 'pglite', BENCH_CONNECTIONS: String(options.connections), BENCH_SECONDS: String(options.seconds), BENCH_JSON: jsonPath } as Record<string, string>;
  const child = startChild('overview', ['--import', 'tsx', 'bench/overview.ts'], { cwd: ROOT, env });
  const watch = watchProcessTree(child.pid);
  await child.exited;
  const usage = watch.stop();
  let figures: OverviewFigures;
  try {
    figures = JSON.parse(readFileSync(jsonPath, 'utf8')) as OverviewFigures;
  } catch {
    failures.ours = `(d) did not finish:\n${tail(child)}`;
    log(`  FAILED:\n${tail(child)}`);
    return;
  }
  overviewFigures = figures;
  const load = figures.load;
  measurements.push({
    gateway: 'ours',
    workload: 'd',
    requests: load.requests,
    rps: load.rps,
    latencyMs: { p50: load.latencyMs.p50, p95: Number.NaN, p99: load.latencyMs.p99, max: load.latencyMs.max },
    errors: load.errors + load.timeouts,
    timeouts: load.timeouts,
    non2xx: load.non2xx,
    graphqlErrors: Number.NaN,
    answer: 'checked by bench/overview.ts (no GraphQL errors in the sequential run)',
    peakRssMb: usage.peakRssMb,
    gatewayProcesses: usage.processes,
    // The measured run's CPU, as bench/overview.ts counts it (the child is gone when its figures are read).
    gatewayCpuSeconds: (figures.cpuMsPerRequest * load.requests) / 1000,
    subgraphCpuSeconds: Number.NaN,
    loadGeneratorCpuSeconds: Number.NaN,
    subgraphFetches: figures.legacyCallsBySystem,
    fetchesPerOperation: figures.legacyCallsPerQuery,
    dedup: 'none (distinct citizens)',
  });
  log(
    `  sequential p50 ${fmt(figures.sequential.p50)} ms (floor ${figures.floorMs.coldMs} ms cold, ${figures.floorMs.warmMs} warm; the plan's critical path ${figures.criticalPathMs.cold} ms), p95 ${fmt(figures.sequential.p95)} ms; ` +
      `under load ${fmt(load.rps)} req/s, p50 ${load.latencyMs.p50} / p99 ${load.latencyMs.p99} ms, errors ${load.errors}, non-2xx ${load.non2xx}; peak RSS ${fmt(usage.peakRssMb, 0)} MB (the whole house); ` +
      `${fmt(figures.legacyCallsPerQuery, 2)} legacy calls per query; trail ${figures.trail ? `${figures.trail.records} records, ${figures.trail.intact ? 'intact' : 'NOT intact'}` : 'off'}`,
  );
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────

const onSignal = (signal: NodeJS.Signals) => {
  log(`\n${signal}: stopping ${children.size} processes`);
  for (const child of children) child.process.kill('SIGKILL');
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
process.on('exit', () => {
  for (const child of children) child.process.kill('SIGKILL');
});

const startedAt = new Date();
const dir = mkdtempSync(join(tmpdir(), 'bench-peers-'));
const selected = options.only.map((id) => GATEWAYS[id]);
const workloads = options.workloads.filter((id): id is Exclude<WorkloadId, 'd'> => id !== 'd').map((id) => WORKLOADS[id]);
const overviewRun = options.workloads.includes('d') && options.only.includes('ours');
if (options.workloads.includes('d') && !overviewRun) log('workload (d) is ours alone: skipped, since --only leaves ours out');
log(`bench:peers: ${selected.map((g) => g.id).join(', ')}; workloads ${[...workloads.map((w) => w.id), ...(overviewRun ? ['d'] : [])].join(', ')}; ${options.seconds} s each after ${options.warmupSeconds} s of warm-up, ${options.connections} connections`);
log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${type()} ${release()}`);

const subgraphs: Subgraph[] = [];
try {
  // 1. The peers.
  if (selected.some((g) => g.id === 'hive' || g.id === 'hive-rust')) {
    const install = await ensurePeers((line) => log(`[install] ${line}`));
    if (install.failure) log(`[install] FAILED: ${install.failure}`);
  }
  // 2. Ours and the plain peer's script as production runs them: built, under plain node.
  await buildBundles(BUILT_DIR, [
    { entry: 'scripts/start-gateway.ts', out: 'start-gateway.mjs' },
    { entry: 'bench/peers/plainGateway.ts', out: 'plainGateway.mjs' },
  ]);
  log(`[build] ours and the plain peer's script bundled into ${BUILT_DIR} (npm run build's way)`);
  // 3. Subgraphs, one process each, and the supergraph.
  for (const name of SUBGRAPH_NAMES) {
    const child = startChild(`subgraph ${name}`, ['--import', 'tsx', 'bench/peers/subgraphServer.ts', name, '0'], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } as Record<string, string> }, true);
    const match = await waitForOutput(child, /ready (http:\/\/\S+)/, 30_000);
    subgraphs.push({ name, child, url: match[1]! });
    log(`[subgraph] ${name} at ${match[1]} (pid ${child.pid})`);
  }
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeSupergraph(Object.fromEntries(subgraphs.map((s) => [s.name, s.url])) as Record<SubgraphName, string>));
  log(`[supergraph] composed with @apollo/composition: ${supergraphPath}`);
  const internalTokenKeyPath = join(dir, 'internal-token.private.jwk.json');
  writeFileSync(internalTokenKeyPath, JSON.stringify((await generateInternalTokenKeys()).privateJwk));

  // 3–4. Each gateway, one at a time.
  const context = { dir, supergraphPath, internalTokenKeyPath, subgraphs };
  for (const spec of selected) {
    const why = spec.unavailable();
    if (why) {
      failures[spec.id] = `not installed: ${why}`;
      log(`\n[${spec.id}] ${spec.label}: SKIPPED, ${why}`);
      continue;
    }
    // Where the gateway has de-duplication, (c) needs it started again with it off; else (c) runs as is.
    const separate = spec.dedup.exists ? workloads.filter((w) => w.dedupOff) : [];
    await runGateway(spec, workloads.filter((w) => !separate.includes(w)), false, context);
    if (separate.length > 0) await runGateway(spec, separate, true, context);
  }
  if (overviewRun) await runOverview(dir);
} finally {
  for (const s of subgraphs) await stopChild(s.child);
  rmSync(dir, { recursive: true, force: true });
}

// 5. The table, the JSON, the README.
const ran = selected.map((g) => ({ id: g.id, label: g.label }));
const tabled = [...workloads, ...(overviewFigures ? [OVERVIEW] : [])];
const figures = table(measurements, ran, tabled, failures);
log(`\n${figures}`);
log('\nours/peer: above 1× is better for RPS; below 1× is better for latency, memory, CPU and fetches.');
const notes: string[] = [];
for (const [id, reason] of Object.entries(failures)) notes.push(`${id}: ${reason.split('\n')[0]}`);
for (const m of measurements) {
  if (m.workload !== 'd' && !m.answer.startsWith('same as') && !m.answer.startsWith('reference')) notes.push(`${m.gateway} (${m.workload}): answer ${m.answer}`);
  if (m.graphqlErrors > 0) notes.push(`${m.gateway} (${m.workload}): ${m.graphqlErrors} responses with GraphQL errors, the first: ${m.firstError?.slice(0, 200)}`);
}
for (const note of notes) log(`note: ${note}`);
if (options.only.includes('ours')) log(`ours in this run:\n${OURS_FEATURES.map((f) => `  ${f}`).join('\n')}`);

if (options.record) {
  const stamp = startedAt.toISOString().slice(0, 16).replace(':', '');
  const command = `npm run bench:peers${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, os: `${type()} ${release()}` };
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = join(resultsDir, `peers-${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify({ command, startedAt: startedAt.toISOString(), machine, options, peersDir: PEERS_DIR, gateways: configurations, failures, measurements, notes }, null, 2)}\n`);
  log(`\nresults: ${jsonPath}`);
  const configurationLines = Object.values(configurations).flatMap((c) =>
    Object.entries(c!.configuration).map(([instance, lines]) => `- **${c!.label}**${instance === 'dedup-off' ? ' for (c)' : ''} (${Object.entries(c!.versions).map(([n, v]) => `${n} ${v}`).join(', ')}): ${lines.join('; ')}`),
  );
  refreshReadme(
    join(ROOT, 'bench', 'README.md'),
    [
      '## `npm run bench:peers` — ours beside other Node gateways',
      '',
      '`bench/peers.ts` installs the peer gateways into `bench/.peers` (git-ignored, pinned versions, not project',
      'dependencies), starts the four subgraphs of the community benchmark\'s shape (accounts, inventory, products,',
      'reviews: @apollo/subgraph, deterministic data, one process each), composes one supergraph with',
      '@apollo/composition, then starts each gateway alone in its own process on them and drives it with',
      'autocannon: (a) the heavy nested query, the same on every request; (b) a light query (one fetch);',
      '(c) the heavy query with in-flight de-duplication of subgraph requests off wherever a gateway has it;',
      '(d) the citizen overview over the simulators, ours alone (`npm run bench` with tokens and the embedded trail on,',
      'distinct citizens; peak RSS and CPU are then the whole house\'s, one process; "subgraph fetches/op" are legacy calls',
      'per query). Each of (a)–(c): one answer check, a warm-up,',
      'then the measured run. Peak RSS is the gateway process\'s VmHWM, reset before each workload; CPU seconds',
      'come from /proc/PID/stat; fetches per operation are what the subgraphs answered over the completed',
      'requests. Options: `--seconds N` (10), `--connections C` (50), `--warmup S`, `--only plain,hive,hive-rust,ours`,',
      '`--workloads a,b,c,d`, `--no-record`, `--cpu-prof DIR`, `--ours-trail embedded` (ours with its embedded access trail',
      'open, for its memory with the trail on).',
      '',
      `### ${startedAt.toISOString().slice(0, 10)}, latest run`,
      '',
      `\`${command}\` on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.os}; ${options.seconds} s per workload`,
      `after ${options.warmupSeconds} s of warm-up, ${options.connections} connections; the load generator shares the machine.`,
      `Figures: \`bench/results/${jsonPath.split('/').pop()}\`.`,
      '',
      ...configurationLines,
      `- ours, on and off: ${OURS_FEATURES.join('; ')}`,
      '',
      figures,
      '',
      'ours/peer: above 1× is better for RPS; below 1× is better for latency, memory, CPU and fetches.',
      ...(overviewFigures
        ? [
            '',
            `(d) sequential, one request at a time over ${overviewFigures.sequential.requests} distinct citizens: p50 ${overviewFigures.sequential.p50.toFixed(1)} ms, p95 ${overviewFigures.sequential.p95.toFixed(1)} ms, ` +
              `against the data's floor of ${overviewFigures.floorMs.coldMs} ms cold (${overviewFigures.floorMs.warmMs} ms warm) and the plan's critical path of ${overviewFigures.criticalPathMs.cold} ms; ` +
              `${overviewFigures.legacyCallsPerQuery.toFixed(2)} legacy calls per query (${Object.entries(overviewFigures.legacyCallsBySystem).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}); ` +
              `${overviewFigures.cpuMsPerRequest.toFixed(1)} ms CPU per request for the whole house.`,
          ]
        : []),
      ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    ].join('\n'),
  );
  log(`README: bench/README.md, section \`npm run bench:peers\``);
}
process.exit(0);
