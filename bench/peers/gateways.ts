/**
 * The four gateways measured side by side, and exactly how each is started: every one in its own
 * process, on the same supergraph file and the same subgraph processes, one at a time.
 *
 * The peers run with NODE_ENV=production and APOLLO_TELEMETRY_DISABLED=1. Ours runs through its
 * own entry (scripts/start-gateway.ts) in development mode, as issue 14 measured it: production
 * mode requires authentication and an access trail, which the benchmark subgraphs cannot take part
 * in; its limits are raised so the heavy query is admitted, and `features` says what is on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS_DIR, installedVersion, peerMissing } from './installPeers';

export const GATEWAY_IDS = ['plain', 'hive', 'hive-rust', 'ours'] as const;
export type GatewayId = (typeof GATEWAY_IDS)[number];

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the run bundles ours and the plain peer's script (inside the checkout: their packages come from its node_modules). */
export const BUILT_DIR = join(ROOT, 'dist', 'bench');

export interface LaunchContext {
  supergraphPath: string;
  port: number;
  /** A folder of this run's own (config files, keys). */
  dir: string;
  /** Start with in-flight de-duplication of subgraph requests turned off. */
  dedupOff: boolean;
  /** The gateway's private key file for internal tokens (ours only). */
  internalTokenKeyPath: string;
  /** Ours only: open the embedded access trail in this folder (AUDIT_DIR). */
  trailDir?: string;
}

export interface Launch {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The exact configuration, one line per setting, for the terminal, the JSON and the README. */
  configuration: string[];
}

export interface GatewaySpec {
  id: GatewayId;
  label: string;
  /** Versions of what runs, read from the installed packages. */
  versions(): Record<string, string>;
  /** Why it cannot run here (a missing peer), if it cannot. */
  unavailable(): string | undefined;
  /** How in-flight de-duplication of identical subgraph requests stands, and whether it can be turned off. */
  dedup: { exists: boolean; note: string };
  launch(context: LaunchContext): Launch;
}

/**
 * Settings the harness's own environment could carry into a gateway (ours reads these; the peers
 * read PORT, HOST, NODE_ENV): every gateway gets exactly what its launch says.
 */
const CONTROLLED = /^(NODE_ENV|PORT|HOST|SUPERGRAPH_PATH|SUBGRAPHS_CONFIG|SUBGRAPH_URL_.*|SHARE_SUBGRAPH_FETCHES|AUDIT_.*|AUTH_.*|TENANT_REGISTRY|TRUSTED_DOCUMENTS|MAX_.*|RATE_LIMIT_.*|REQUEST_BUDGET_MS|SHUTDOWN_DELAY_MS|INTERNAL_TOKEN_.*|HIVE_.*|FORK|CONFIG_PATH|POLLING)$/;

/** The harness's environment without the settings above, plus the given ones. */
export function gatewayEnv(own: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !CONTROLLED.test(e[0])));
  return { ...base, APOLLO_TELEMETRY_DISABLED: '1', ...own };
}

function projectVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

const HIVE_BIN = join(PEERS_DIR, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');

/**
 * Hive Gateway's outbound de-duplication (on by default) is an option of its HTTP transport
 * (@graphql-tools/executor-http `deduplicateInflightRequests`), set for every subgraph with the
 * transport entry `*.http` (the-guild.dev/graphql/hive/docs/gateway/other-features/performance/deduplicate-request).
 * Its inbound de-duplication (`inboundInflightRequestDeduplication`) is off by default and stays off.
 */
const HIVE_DEDUP_OFF_CONFIG = `// Written by bench/peers/gateways.ts: Hive Gateway with in-flight de-duplication of subgraph requests off.
export const gatewayConfig = {
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: false } },
  },
};
`;

function hive(id: 'hive' | 'hive-rust'): GatewaySpec {
  const rust = id === 'hive-rust';
  return {
    id,
    label: rust ? 'Hive Gateway + Rust planner' : 'Hive Gateway (defaults)',
    versions: () => ({
      '@graphql-hive/gateway': installedVersion('@graphql-hive/gateway') ?? 'missing',
      ...(rust
        ? { '@graphql-hive/router-runtime': installedVersion('@graphql-hive/router-runtime') ?? 'missing', '@graphql-hive/router-query-planner': installedVersion('@graphql-hive/router-query-planner') ?? 'missing' }
        : {}),
    }),
    unavailable: () => peerMissing('@graphql-hive/gateway') ?? (rust ? peerMissing('@graphql-hive/router-runtime') : undefined),
    dedup: { exists: true, note: 'on by default (outbound: identical in-flight subgraph requests share one fetch)' },
    launch: ({ supergraphPath, port, dir, dedupOff }) => {
      const configPath = join(dir, `${id}-dedup-off.config.mjs`);
      if (dedupOff) writeFileSync(configPath, HIVE_DEDUP_OFF_CONFIG);
      const args = [HIVE_BIN, 'supergraph', supergraphPath, '--port', String(port), '--host', '127.0.0.1', ...(rust ? ['--hive-router-runtime'] : []), ...(dedupOff ? ['--config-path', configPath] : [])];
      return {
        args,
        // cwd: this run's folder, where no default config file (gateway.config.*) is found.
        cwd: dir,
        env: gatewayEnv({ NODE_ENV: 'production' }),
        configuration: [
          `hive-gateway supergraph SUPERGRAPH --port PORT --host 127.0.0.1${rust ? ' --hive-router-runtime' : ''}${dedupOff ? ' --config-path dedup-off.config.mjs' : ''}`,
          'NODE_ENV=production; no config file otherwise (every default: fork 1, masked errors, 10 s supergraph polling)',
          ...(rust ? ['--hive-router-runtime: the Router Runtime of @graphql-hive/router-runtime (Rust query planner, native addon shipped in @graphql-hive/router-query-planner) as unifiedGraphHandler'] : []),
          dedupOff ? "transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } }" : 'in-flight de-duplication of subgraph requests: on (default)',
        ],
      };
    },
  };
}

/** Ours, with the limits raised enough for the heavy query and nothing else changed. */
const OURS_ENV = {
  MAX_DEPTH: '32', // the heavy query is 8 deep (default 12 would do; raised with the rest)
  MAX_TOKENS: '20000', // default 2,000
  MAX_COST: '1000000000', // default 5,000: the heavy query's estimate is far above (unknown lists count 10)
  RATE_LIMIT_PER_SECOND: '0', // default 100/s per caller: one load generator is one caller
  REQUEST_BUDGET_MS: '60000', // default 3 s: under 50 connections a slow run would be cut off, not measured
} as const;

/** What of ours is on in this run, and what is off. */
export const OURS_FEATURES: readonly string[] = [
  'on: Apollo Server 5 over @apollo/gateway 2.14, the supergraph file watched; the one operation reading (cost, coordinates) and the cost limit; depth, alias, directive and token limits (armor); field authorization with the development grantee (every field granted); a signed Ed25519 internal token per subgraph call; the request budget as a header and fetch deadline; error masking; /health and /ready',
  'off: authentication (development mode, no AUTH_*), the access trail (no AUDIT_*), the tenant registry, trusted documents, rate limits (RATE_LIMIT_PER_SECOND=0); introspection is on (development)',
  'in-flight de-duplication of subgraph requests: on (SHARE_SUBGRAPH_FETCHES), off for (c)',
];

export const GATEWAYS: Readonly<Record<GatewayId, GatewaySpec>> = {
  plain: {
    id: 'plain',
    label: 'plain @apollo/gateway',
    versions: () => ({ '@apollo/gateway': projectVersion('@apollo/gateway'), '@apollo/server': projectVersion('@apollo/server') }),
    unavailable: () => undefined,
    dedup: { exists: false, note: 'none (RemoteGraphQLDataSource sends every fetch)' },
    launch: ({ supergraphPath, port }) => ({
      args: [join(BUILT_DIR, 'plainGateway.mjs'), supergraphPath, String(port)],
      cwd: ROOT,
      env: gatewayEnv({ NODE_ENV: 'production' }),
      configuration: [
        'new ApolloGateway({ supergraphSdl }) in new ApolloServer({ gateway }), startStandaloneServer; every other option at its default; bundled as ours is and run under plain node',
        'NODE_ENV=production; in-flight de-duplication: none to turn off',
      ],
    }),
  },
  hive: hive('hive'),
  'hive-rust': hive('hive-rust'),
  ours: {
    id: 'ours',
    label: 'ours',
    versions: () => ({ '@apollo/gateway': projectVersion('@apollo/gateway'), '@apollo/server': projectVersion('@apollo/server') }),
    unavailable: () => undefined,
    dedup: { exists: true, note: 'on by default (identical reads in flight for the same decision share one fetch; SHARE_SUBGRAPH_FETCHES=false turns it off)' },
    launch: ({ supergraphPath, port, internalTokenKeyPath, dedupOff, trailDir }) => ({
      args: [join(BUILT_DIR, 'start-gateway.mjs'), '--supergraph', supergraphPath],
      cwd: ROOT,
      env: gatewayEnv({ ...OURS_ENV, PORT: String(port), HOST: '127.0.0.1', INTERNAL_TOKEN_PRIVATE_JWK: internalTokenKeyPath, ...(dedupOff ? { SHARE_SUBGRAPH_FETCHES: 'false' } : {}), ...(trailDir ? { AUDIT_DIR: trailDir } : {}) }),
      configuration: [
        `npm run build, then node dist/start-gateway.mjs --supergraph SUPERGRAPH with ${Object.entries(OURS_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} PORT HOST INTERNAL_TOKEN_PRIVATE_JWK${dedupOff ? ' SHARE_SUBGRAPH_FETCHES=false' : ''}${trailDir ? ' AUDIT_DIR (the embedded access trail open, PGlite)' : ''}`,
        ...OURS_FEATURES,
      ],
    }),
  },
};
