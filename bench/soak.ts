/**
 * `npm run bench:soak`: steady load for a long time, watching the memory of the gateway and of
 * each subgraph, each in its own process as in production (simulators run in this process).
 *
 * Prints each process's resident memory (RSS) and V8 heap retained after a full collection (from
 * its /health; the processes run with --expose-gc) every sample,
 * and at the end the growth from the start of the measured period (after warm-up) to its end,
 * each taken as the median of three samples so one garbage collection does not decide it.
 * Target: under 10%.
 *
 * The gateway runs as in production: bearer tokens (a caseworker of each citizen's municipality,
 * from a development identity provider in a temporary folder), the tenant registry, and an
 * embedded access trail recording every request (SOAK_AUDIT=off leaves it out).
 *
 * Options (env): SOAK_SECONDS (default 600), SOAK_WARMUP_SECONDS (180), SOAK_RATE (requests/s, 25),
 * SOAK_CONNECTIONS (8), SOAK_SAMPLE_SECONDS (30), SOAK_AUDIT (on | off, default on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { formatCpr } from '../schema/scalars';
import { loadSubgraphList } from '../schema/subgraphs';
import { startCaseIndexSimulator, CASE_INDEX_SERVICE_PATH } from '../simulators/case-index/server';
import { startCprSimulator, CPR_SERVICE_PATH } from '../simulators/cpr/server';
import { startBbrSimulator } from '../simulators/bbr/server';
import { startDarSimulator } from '../simulators/dar/server';
import { startEsdhSimulator } from '../simulators/esdh/server';
import { startKleSimulator } from '../simulators/kle/server';
import { CITIZEN_OVERVIEW_QUERY } from '../simulators/data/samples';
import { buildWorld } from '../simulators/data/world';
import { DEFAULT_LATENCY_MS } from '../scripts/localStack';
import { generateInternalTokenKeys } from '../runtime/internalToken';
import { devIdentityProvider } from '../gateway/auth/devIdentity';

const seconds = Number(process.env['SOAK_SECONDS'] ?? 600);
const warmupSeconds = Number(process.env['SOAK_WARMUP_SECONDS'] ?? 180);
const rate = Number(process.env['SOAK_RATE'] ?? 25);
const connections = Number(process.env['SOAK_CONNECTIONS'] ?? 8);
const sampleSeconds = Number(process.env['SOAK_SAMPLE_SECONDS'] ?? 30);
const root = fileURLToPath(new URL('..', import.meta.url));

const world = buildWorld();
const latency = (system: string) => ({ world, latencyMs: DEFAULT_LATENCY_MS[system] ?? 0 });
const simulators = await Promise.all([
  startCprSimulator(latency('cpr')),
  startCaseIndexSimulator(latency('case-index')),
  startBbrSimulator(latency('bbr')),
  startDarSimulator(latency('dar')),
  startKleSimulator(latency('kle')),
  ...world.municipalities.map((m) => startEsdhSimulator({ ...latency('esdh'), municipalityCode: m.code })),
]);
const [cpr, caseIndex, bbr, dar, kle, ...esdh] = simulators;
const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const legacyConfig = join(dir, 'legacy.json');
writeFileSync(
  legacyConfig,
  JSON.stringify({
    cpr: {
      wsdl: `${cpr!.url}${CPR_SERVICE_PATH}?wsdl`,
      endpoint: `${cpr!.url}${CPR_SERVICE_PATH}`,
      invocationContext: {
        serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
        userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
        userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
        serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
      },
    },
    caseIndex: { wsdl: `${caseIndex!.url}${CASE_INDEX_SERVICE_PATH}?wsdl`, endpoint: `${caseIndex!.url}${CASE_INDEX_SERVICE_PATH}` },
    bbr: { url: bbr!.url },
    dar: { url: dar!.url },
    kle: { url: kle!.url },
    tenantRegistry: 'tenants.json',
  }),
);
writeFileSync(
  join(dir, 'tenants.json'),
  JSON.stringify({ municipalities: world.municipalities.map((m, i) => ({ code: m.code, name: m.name, cvr: m.cvr, esdh: { kind: 'rest-demo', url: esdh[i]!.url } })) }),
);
const idp = await devIdentityProvider(join(dir, 'idp'));
const tokens = new Map<string, string>();
for (const m of world.municipalities) tokens.set(m.code, `Bearer ${await idp.mint({ role: 'caseworker', municipality: m.code, purpose: 'soak' })}`);
const withAudit = (process.env['SOAK_AUDIT'] ?? 'on') !== 'off';

const keys = await generateInternalTokenKeys();
writeFileSync(join(dir, 'private.jwk.json'), JSON.stringify(keys.privateJwk));
writeFileSync(join(dir, 'public.jwk.json'), JSON.stringify(keys.publicJwk));

const children: { name: string; child: ChildProcess }[] = [];
function launch(name: string, args: string[], env: Record<string, string>): Promise<string> {
  // --expose-gc: /health?gc=1 then measures the heap after a full collection, i.e. what is retained.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env, APOLLO_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push({ name, child });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
}

type Memory = { rssMb: number; heapUsedMb: number; externalMb: number };
async function memoryOf(url: string): Promise<Memory> {
  const health = (await (await fetch(new URL('/health?gc=1', url))).json()) as { memory: Memory };
  return health.memory;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

try {
  const subgraphUrls: Record<string, string> = {};
  for (const name of loadSubgraphList().names) {
    subgraphUrls[name] = await launch(name, ['scripts/start-subgraph.ts', name], { LEGACY_CONFIG: legacyConfig, PORT: '0', INTERNAL_TOKEN_PUBLIC_JWK: join(dir, 'public.jwk.json') });
  }
  const gatewayUrl = await launch('gateway', ['scripts/start-gateway.ts'], {
    PORT: '0',
    HOST: '127.0.0.1',
    INTERNAL_TOKEN_PRIVATE_JWK: join(dir, 'private.jwk.json'),
    AUTH_ISSUER: idp.issuer,
    AUTH_AUDIENCE: idp.audience,
    AUTH_JWKS_FILE: idp.jwksPath,
    TENANT_REGISTRY: join(dir, 'tenants.json'),
    ...(withAudit ? { AUDIT_DIR: join(dir, 'audit') } : {}),
    ...Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
  });
  console.log(`gateway ${gatewayUrl}; ${seconds} s at ${rate} req/s over ${connections} connections; warm-up ${warmupSeconds} s; access trail ${withAudit ? 'embedded' : 'off'}`);

  const citizens = [...world.persons.values()].filter((p) => !p.addressProtected);
  let next = 0;
  const urls: Record<string, string> = { ...subgraphUrls, gateway: gatewayUrl };
  const samples: { t: number; memory: Record<string, Memory> }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    // A sample that fails (a process busy past the fetch) is skipped, never fatal to the run.
    void (async () => {
      const t = Math.round((Date.now() - started) / 1000);
      const memory = Object.fromEntries(await Promise.all(children.map(async ({ name }) => [name, await memoryOf(urls[name]!)] as const)));
      samples.push({ t, memory });
      console.log(`  t=${String(t).padStart(4)} s  ${Object.entries(memory).map(([n, m]) => `${n} ${m.rssMb} MB rss / ${m.heapUsedMb} MB heap / ${m.externalMb} MB ext`).join(', ')}`);
    })().catch((error: unknown) => console.error(`  sample skipped: ${(error as Error).message}`));
  }, sampleSeconds * 1000);

  const result = await autocannon({
    url: gatewayUrl,
    method: 'POST',
    connections,
    overallRate: rate,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const person = citizens[next++ % citizens.length]!;
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: tokens.get(person.municipalityCode)! },
            body: JSON.stringify({ query: CITIZEN_OVERVIEW_QUERY, variables: { cpr: formatCpr(person.cpr) } }),
          };
        },
      },
    ],
  });
  clearInterval(sampler);

  const after = samples.filter((s) => s.t >= warmupSeconds);
  const head = after.slice(0, 3);
  const tail = after.slice(-3);
  console.log(`\n${result.requests.total} requests, ${result.requests.average.toFixed(1)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
  console.log(`memory growth, median of t=${head.map((s) => s.t).join('/')} s → median of t=${tail.map((s) => s.t).join('/')} s:`);
  for (const { name } of children) {
    for (const kind of ['rssMb', 'heapUsedMb', 'externalMb'] as const) {
      const first = median(head.map((s) => s.memory[name]![kind]));
      const last = median(tail.map((s) => s.memory[name]![kind]));
      const peak = Math.max(...after.map((s) => s.memory[name]![kind]));
      console.log(`  ${name.padEnd(9)} ${kind === 'rssMb' ? 'rss ' : kind === 'heapUsedMb' ? 'heap' : 'ext '} ${first.toFixed(1)} → ${last.toFixed(1)} MB (${(((last - first) / first) * 100).toFixed(1)}%), peak ${peak.toFixed(1)} MB`);
    }
  }
} finally {
  // Gateway first, so no request is in flight towards a subgraph that is already gone.
  for (const { child } of [...children].reverse()) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const s of simulators) await s.close();
  rmSync(dir, { recursive: true, force: true });
}
