/**
 * The run's figures as one Markdown table (gateways side by side, then ours/peer for each
 * figure), the JSON record under bench/results/, and the section of bench/README.md that shows the
 * latest run (between its two markers, written anew each run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { GatewayId } from './gateways';
import type { WorkloadId } from './workloads';

/** One gateway on one workload. */
export interface Measurement {
  gateway: GatewayId;
  workload: WorkloadId;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  firstError?: string;
  /** Whether the answer (checked once before the run) equals the reference answer, and whose it is. */
  answer: string;
  peakRssMb: number;
  gatewayProcesses: number;
  gatewayCpuSeconds: number;
  subgraphCpuSeconds: number;
  loadGeneratorCpuSeconds: number;
  subgraphFetches: Record<string, number>;
  fetchesPerOperation: number;
  dedup: string;
}

type Row = { label: string; value: (m: Measurement) => number; digits: number };

const ROWS: readonly Row[] = [
  { label: 'RPS', value: (m) => m.rps, digits: 1 },
  { label: 'p50 ms', value: (m) => m.latencyMs.p50, digits: 1 },
  { label: 'p95 ms', value: (m) => m.latencyMs.p95, digits: 1 },
  { label: 'p99 ms', value: (m) => m.latencyMs.p99, digits: 1 },
  { label: 'errors + timeouts', value: (m) => m.errors, digits: 0 },
  { label: 'non-2xx', value: (m) => m.non2xx, digits: 0 },
  { label: 'GraphQL errors', value: (m) => m.graphqlErrors, digits: 0 },
  { label: 'peak RSS MB', value: (m) => m.peakRssMb, digits: 0 },
  { label: 'gateway CPU s', value: (m) => m.gatewayCpuSeconds, digits: 1 },
  { label: 'gateway CPU ms/op', value: (m) => (m.requests > 0 ? (m.gatewayCpuSeconds * 1000) / m.requests : Number.NaN), digits: 2 },
  { label: 'subgraphs CPU s', value: (m) => m.subgraphCpuSeconds, digits: 1 },
  { label: 'subgraph fetches/op', value: (m) => m.fetchesPerOperation, digits: 2 },
];

const format = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));

function ratio(ours: number | undefined, peer: number | undefined): string {
  if (ours === undefined || peer === undefined || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return '—';
  return `${(ours / peer).toFixed(2)}×`;
}

/**
 * The table: a row per workload and figure, a column per gateway, then ours/peer per peer. For
 * RPS above 1× is better; for latency, memory, CPU and fetches below 1× is.
 */
export function table(measurements: readonly Measurement[], gateways: readonly { id: GatewayId; label: string }[], workloads: readonly { id: WorkloadId; title: string }[], failures: Readonly<Partial<Record<GatewayId, string>>>): string {
  const peers = gateways.filter((g) => g.id !== 'ours');
  const hasOurs = gateways.some((g) => g.id === 'ours');
  const header = ['workload', 'figure', ...gateways.map((g) => g.label + (failures[g.id] ? ' (failed)' : '')), ...(hasOurs ? peers.map((p) => `ours/${p.id}`) : [])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const workload of workloads) {
    const of = (id: GatewayId) => measurements.find((m) => m.gateway === id && m.workload === workload.id);
    for (const [i, row] of ROWS.entries()) {
      const values = gateways.map((g) => {
        const m = of(g.id);
        return m ? row.value(m) : undefined;
      });
      const ours = hasOurs ? (of('ours') ? row.value(of('ours')!) : undefined) : undefined;
      const cells = [i === 0 ? `(${workload.id}) ${workload.title}` : '', row.label, ...values.map((v) => format(v, row.digits)), ...(hasOurs ? peers.map((p) => ratio(ours, of(p.id) ? row.value(of(p.id)!) : undefined)) : [])];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

export const README_START = '<!-- bench:peers:start (written by npm run bench:peers; edits inside are replaced) -->';
export const README_END = '<!-- bench:peers:end -->';

/** Puts `section` between the markers in the README, or before its first `## \`npm run bench:soak\`` section. */
export function refreshReadme(readmePath: string, section: string): void {
  const readme = readFileSync(readmePath, 'utf8');
  const block = `${README_START}\n${section.trim()}\n${README_END}`;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  let next: string;
  if (start >= 0 && end > start) next = readme.slice(0, start) + block + readme.slice(end + README_END.length);
  else {
    const anchor = readme.indexOf('## `npm run bench:soak`');
    next = anchor >= 0 ? `${readme.slice(0, anchor)}${block}\n\n${readme.slice(anchor)}` : `${readme.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(readmePath, next);
}
