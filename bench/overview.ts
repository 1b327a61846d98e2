/**
 * `npm run bench`: the citizen overview query through the gateway, against the simulators with
 * their default latencies (scripts/localStack.ts DEFAULT_LATENCY_MS).
 *
 * Prints: sequential latency (p50/p95/max over distinct citizens, so CPR and the case index are
 * asked every time while BBR/DAR/KLE warm up as in production), the legacy calls per query by
 * system, the sum of simulated latencies on the critical path, and throughput under concurrent
 * load (autocannon). Figures, not assertions: see bench/README.md for recorded runs.
 *
 * Options (env): BENCH_REQUESTS (sequential, default 200), BENCH_SECONDS (load, default 10),
 * BENCH_CONNECTIONS (default 16), BENCH_AUDIT (off | pglite | postgres: record every access in
 * an access trail, embedded PGlite in a temporary folder or the PostgreSQL server at 127.0.0.1:5432;
 * default off),
 * BENCH_AUTH (off | on: bearer tokens of a caseworker of each citizen's municipality, so
 * authentication, roles, field grants and tenancy run as in production; default off),
 * BENCH_PREFETCH (on | off: entity fetches made early, gateway/prefetch.ts; default on, as the gateway's own default),
 * BENCH_JSON (a file to write the figures to, for bench:peers's workload (d)).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { createAuditTrail, pgliteClient, postgresClient } from '../audit';
import { generateInternalTokenKeys } from '../runtime/internalToken';
import { configureLogging, loadLogSettings } from '../runtime/log';
import { DEFAULT_LATENCY_MS, startLocalStack } from '../scripts/localStack';
import { formatCpr } from '../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY } from '../simulators/data/samples';

const requests = Number(process.env['BENCH_REQUESTS'] ?? 200);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 16);

const auditMode = process.env['BENCH_AUDIT'] ?? 'off';
const trailDir = auditMode === 'pglite' ? mkdtempSync(join(tmpdir(), 'bench-trail-')) : undefined;
if (!['off', 'pglite', 'postgres'].includes(auditMode)) throw new Error('BENCH_AUDIT must be off, pglite or postgres');
const audit =
  auditMode === 'off'
    ? undefined
    : {
        trail: await createAuditTrail({
          // A trail folder, as the gateway keeps it (initialised by a child process), not an in-memory PGlite.
          db: auditMode === 'pglite' ? await pgliteClient(join(trailDir!, 'pgdata')) : await postgresClient('postgres://postgres@127.0.0.1:5432/test', `audit_bench_${randomBytes(4).toString('hex')}`),
          signingKey: await generateInternalTokenKeys(),
        }),
        subjectKey: randomBytes(32),
      };
const authMode = process.env['BENCH_AUTH'] ?? 'off';
if (!['off', 'on'].includes(authMode)) throw new Error('BENCH_AUTH must be off or on');
const idpDir = authMode === 'on' ? mkdtempSync(join(tmpdir(), 'bench-idp-')) : undefined;
// The results are printed on stdout: the stack in this process logs warnings only, unless LOG_LEVEL says otherwise.
configureLogging({ ...loadLogSettings(process.env, 'bench', { level: 'warn' }), service: 'local' });
const prefetchMode = process.env['BENCH_PREFETCH'] ?? 'on';
if (!['on', 'off'].includes(prefetchMode)) throw new Error('BENCH_PREFETCH must be on or off');
const stack = await startLocalStack({ gateway: { port: 0, prefetchEntities: prefetchMode === 'on' }, ...(audit ? { audit } : {}), ...(idpDir ? { devIdentityDir: idpDir } : {}) });
console.log(`access trail: ${auditMode}; authentication: ${authMode}`);
const tokens = new Map<string, string>();
if (stack.devIdentity) {
  for (const m of stack.world.municipalities) tokens.set(m.code, `Bearer ${await stack.devIdentity.mint({ role: 'caseworker', municipality: m.code, purpose: 'bench' })}`);
}
const headersFor = (cpr: string): Record<string, string> => {
  const token = tokens.get(stack.world.persons.get(cpr)!.municipalityCode);
  return { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) };
};
const citizens = [...stack.world.persons.values()].filter((p) => !p.addressProtected && (stack.world.casesByParty.get(p.cpr)?.length ?? 0) > 0);
const body = (cpr: string) => JSON.stringify({ query: CITIZEN_OVERVIEW_QUERY, variables: { cpr: formatCpr(cpr) } });

async function overview(cpr: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(stack.gateway.url, { method: 'POST', headers: headersFor(cpr), body: body(cpr) });
  const json = (await response.json()) as { errors?: unknown[] };
  if (json.errors) throw new Error(`overview answered with errors: ${JSON.stringify(json.errors)}`);
  return performance.now() - started;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

try {
  console.log(`simulated latency per call (ms): ${JSON.stringify(DEFAULT_LATENCY_MS)}`);
  for (let i = 0; i < 20; i++) await overview(citizens[i]!.cpr); // warm-up: JIT, sockets, WSDLs

  for (const s of stack.allSimulators()) s.resetCalls();
  const durations: number[] = [];
  let caseCount = 0;
  for (let i = 0; i < requests; i++) {
    const person = citizens[(i * 37 + 20) % citizens.length]!;
    caseCount += stack.world.casesByParty.get(person.cpr)?.length ?? 0;
    durations.push(await overview(person.cpr));
    if ((i + 1) % 50 === 0) process.stderr.write(`  ${i + 1}/${requests} sequential requests\n`);
  }
  durations.sort((a, b) => a - b);
  const calls = new Map<string, number>();
  for (const s of stack.allSimulators()) {
    const system = s.name.startsWith('esdh') ? 'esdh' : s.name;
    calls.set(system, (calls.get(system) ?? 0) + s.calls.length);
  }
  const perQuery = [...calls].map(([system, n]) => `${system} ${(n / requests).toFixed(2)}`).join(', ');
  const totalPerQuery = [...calls.values()].reduce((a, b) => a + b, 0) / requests;
  // Critical path, as the fetches run: the citizen subgraph answers first, root and relations
  // included (CPR for the citizen, then CPR for spouse and children in parallel: the address waits
  // for them, for the household's address protection); the case index is asked beside it
  // (gateway/prefetch.ts: the cases need only the CPR number the query names); then DAR, then BBR's
  // building and its units side by side (DAR names the building). KLE is cached and the parties are
  // family already loaded in this request's scope.
  const L = DEFAULT_LATENCY_MS as Record<string, number>;
  const citizenLeg = L['cpr']! + L['cpr']!;
  const coldAddressLeg = L['dar']! + L['bbr']!;
  const caseLeg = L['case-index']!;
  // Without early fetches (BENCH_PREFETCH=off) the case index waits for the citizen subgraph.
  const early = prefetchMode === 'on';
  const coldPath = early ? Math.max(citizenLeg + coldAddressLeg, caseLeg) : citizenLeg + Math.max(coldAddressLeg, caseLeg);
  const warmPath = early ? Math.max(citizenLeg, caseLeg) : citizenLeg + caseLeg;
  console.log(`\nsequential: ${requests} overview queries, distinct citizens (avg ${(caseCount / requests).toFixed(1)} cases each)`);
  console.log(`  p50 ${percentile(durations, 50).toFixed(1)} ms, p95 ${percentile(durations, 95).toFixed(1)} ms, max ${durations.at(-1)!.toFixed(1)} ms`);
  console.log(`  legacy calls per query: ${totalPerQuery.toFixed(2)} (${perQuery})`);
  console.log(
    `  simulated latency on the critical path: ${coldPath} ms with a cold registry cache ` +
      (early
        ? `(max(CPR ${L['cpr']} + CPR relations ${L['cpr']} + DAR ${L['dar']} + BBR building and units ${L['bbr']}, case index ${caseLeg} beside CPR)), `
        : `(CPR ${L['cpr']} + CPR relations ${L['cpr']} + max(DAR ${L['dar']} + BBR building and units ${L['bbr']}, case index ${caseLeg})), `) +
      `${warmPath} ms warm`,
  );

  const sample = citizens.slice(0, 500);
  let next = 0;
  // CPU time of this process (the whole house) per answered request: steadier than throughput on
  // a shared machine, where time stolen by neighbours lowers req/s but is not our CPU.
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: stack.gateway.url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const cpr = sample[next++ % sample.length]!.cpr;
          return { ...request, headers: headersFor(cpr), body: body(cpr) };
        },
      },
    ],
  });
  console.log(`\nload: ${connections} connections for ${seconds} s over ${sample.length} citizens`);
  const cpu = process.cpuUsage(cpuBefore);
  console.log(`  ${result.requests.average.toFixed(1)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
    `errors ${result.errors}, non-2xx ${result.non2xx}, timeouts ${result.timeouts}`);
  console.log(`  CPU per request (all components, one process): ${((cpu.user + cpu.system) / 1_000 / result.requests.total).toFixed(1)} ms`);
  let trailReport: { records: number; intact: boolean } | undefined;
  if (audit) {
    const report = await audit.trail.verify();
    trailReport = { records: report.records, intact: report.ok };
    console.log(`\naccess trail: ${report.records} records, ${report.checkpoints} signed checkpoints, ${report.ok ? 'intact' : report.problems.join('; ')}`);
  }
  const jsonPath = process.env['BENCH_JSON'];
  if (jsonPath) {
    // The data's own dependencies: CPR, then DAR, then BBR (building and units side by side); warm:
    // CPR, then CPR again for the relatives' names (issue 14).
    const floor = { coldMs: L['cpr']! + L['dar']! + L['bbr']!, warmMs: L['cpr']! + L['cpr']! };
    writeFileSync(
      jsonPath,
      JSON.stringify({
        audit: auditMode,
        auth: authMode,
        sequential: { requests, p50: percentile(durations, 50), p95: percentile(durations, 95), max: durations.at(-1)! },
        legacyCallsPerQuery: totalPerQuery,
        legacyCallsBySystem: Object.fromEntries([...calls].map(([system, n]) => [system, n / requests])),
        criticalPathMs: { cold: coldPath, warm: warmPath },
        floorMs: floor,
        load: {
          connections,
          seconds,
          requests: result.requests.total,
          rps: result.requests.average,
          latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        },
        cpuMsPerRequest: (cpu.user + cpu.system) / 1_000 / result.requests.total,
        trail: trailReport,
      }),
    );
  }
} finally {
  await stack.close();
  await audit?.trail.close();
  if (idpDir) rmSync(idpDir, { recursive: true, force: true });
  if (trailDir) rmSync(trailDir, { recursive: true, force: true });
}
