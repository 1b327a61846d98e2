/**
 * `npm start`: the whole house on localhost — simulators, subgraphs, gateway — for a newcomer.
 * Prints the gateway URL, a sample CPR and a sample query; Ctrl-C or SIGTERM stops everything
 * (a second Ctrl-C exits at once): runtime/shutdown.ts.
 *
 * The gateway's configuration is read as `npm run start:gateway` reads it (loadGatewayConfig over
 * the environment), so every documented setting means the same here; npm start then sets only
 * what running the whole house needs (SETS_ITSELF), and refuses those settings rather than
 * ignore them. The gateway's PORT and HOST are the gateway's; the other pieces take free ports.
 * Metrics are served (the gateway's listener serves the subgraphs' series too, all being in this
 * process): at METRICS_PORT when set, else on a free port of 127.0.0.1, printed.
 */
import { fileURLToPath } from 'node:url';
import { formatCpr } from '../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../simulators/data/samples';
import { ConfigInvalid, loadGatewayConfig, type GatewayConfig } from '../gateway/config';
import { demoClaims, devIdentityProvider, type DevIdentityProvider } from '../gateway/auth/devIdentity';
import { configuredAuditTrail } from '../audit';
import { configureLogging } from '../runtime/log';
import { DEFAULT_GRACE_MS, onShutdown } from '../runtime/shutdown';
import { loadTracingSettings, type TracingSettings } from '../runtime/tracingSettings';
import { startLocalStack, type LocalStack } from './localStack';

const DEV_IDENTITY_DIR = '.data/dev-idp';
const DEFAULT_AUDIT_DIR = '.data/audit';
const DEFAULT_TENANT_REGISTRY = '.data/tenants.json';

/** Settings npm start sets itself, and why it cannot take them from the environment. */
const SETS_ITSELF: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /^SUBGRAPH_URL_/, why: 'npm start runs its own subgraphs and points the gateway at them' },
  { pattern: /^AUTH_(ISSUER|AUDIENCE|JWKS_FILE|ALGORITHMS)$/, why: `npm start authenticates with its development identity provider (${DEV_IDENTITY_DIR}), whose tokens it prints` },
  { pattern: /^INTERNAL_TOKEN_(PRIVATE|PUBLIC)_JWK$/, why: 'npm start makes the gateway-to-subgraph key pair for each run' },
  { pattern: /^LEGACY_CONFIG$/, why: 'npm start\'s subgraphs call its own simulators' },
];

const started = Date.now();
console.log('Starting simulators (CPR, case index, ESDH ×3: two demo REST, Odense on Acadre v7 over SOAP; BBR, DAR, KLE), subgraphs and gateway…');
const refused = refusedSettings(process.env);
if (refused.length > 0) exitWith(new ConfigInvalid('npm start', [...refused, 'for a gateway over other subgraphs or another identity provider, run npm run start:gateway']));
const identity = await devIdentityProvider(DEV_IDENTITY_DIR);
let config: GatewayConfig;
let tracing: TracingSettings | undefined;
try {
  config = npmStartConfig(process.env, identity);
  tracing = loadTracingSettings(process.env, 'npm start');
} catch (error) {
  exitWith(error);
}
// One process runs every part: each line names its part (`service`); pretty unless LOG_FORMAT says json.
configureLogging({ ...config.log, service: 'local' });

let audit: Awaited<ReturnType<typeof configuredAuditTrail>> | undefined;
let stack: LocalStack | undefined;
const starting = start(config);
onShutdown(
  'gateway, subgraphs and simulators',
  async () => {
    await starting.catch(() => undefined);
    // The gateway first (it finishes what is in flight), then subgraphs, then simulators
    // (localStack closes in reverse start order); the trail last, since the gateway records into
    // it until its last answer, and its close releases the trail's lock.
    await stack?.close();
    await audit?.trail.close();
  },
  { graceMs: DEFAULT_GRACE_MS + config.shutdownDelayMs },
);
await starting.catch(async (error: unknown) => {
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  if ((error as { code?: string }).code === 'EADDRINUSE') console.error(`Port ${config.port} is taken; try PORT=4100 npm start`);
  await audit?.trail.close().catch(() => undefined);
  process.exit(1);
});
console.log(await banner(stack!, config));

async function start(config: GatewayConfig): Promise<void> {
  audit = await configuredAuditTrail(config.audit!);
  const replay = process.env['INTERNAL_TOKEN_REPLAY_STORE'];
  stack = await startLocalStack({
    gateway: config,
    devIdentityDir: DEV_IDENTITY_DIR,
    audit: { trail: audit.trail, subjectKey: audit.keys.subjectKey },
    tenantRegistryPath: config.tenantRegistryPath!,
    // The subgraphs SUBGRAPHS_CONFIG lists (default subgraphs.json), a municipality's own among them.
    ...(config.subgraphListPath ? { subgraphListPath: config.subgraphListPath } : {}),
    ...(replay && replay !== 'memory' ? { replayStoreUrl: replay } : {}),
    // Every part its own service in the traces, though all run in this process.
    ...(tracing ? { tracing } : {}),
  });
}

/** Every setting in the environment that npm start sets itself, with why. */
function refusedSettings(env: NodeJS.ProcessEnv): string[] {
  const refused = Object.keys(env)
    .filter((name) => env[name])
    .flatMap((name) => SETS_ITSELF.filter((s) => s.pattern.test(name)).map((s) => `${name}: ${s.why}`));
  const replay = env['INTERNAL_TOKEN_REPLAY_STORE'];
  if (replay && replay !== 'memory' && !/^rediss?:\/\//.test(replay)) refused.push('INTERNAL_TOKEN_REPLAY_STORE: the replay store must be "memory" or a redis:// URL');
  return refused;
}

/**
 * The gateway's configuration from the environment, through the reader start:gateway uses, with
 * what npm start sets put into that same environment: the development identity provider always;
 * the trail and the tenant registry where the environment names none.
 */
function npmStartConfig(env: NodeJS.ProcessEnv, identity: DevIdentityProvider): GatewayConfig {
  const trailNamed = Boolean(env['AUDIT_DIR'] || env['AUDIT_DATABASE_URL'] || env['AUDIT_KEYS']);
  return loadGatewayConfig({
    ...env,
    // A newcomer sees the metrics without asking; a free port cannot clash with anything of theirs.
    METRICS_PORT: env['METRICS_PORT'] || '0',
    AUTH_ISSUER: identity.issuer,
    AUTH_AUDIENCE: identity.audience,
    AUTH_JWKS_FILE: identity.jwksPath,
    ...(trailNamed ? {} : { AUDIT_DIR: DEFAULT_AUDIT_DIR }),
    TENANT_REGISTRY: env['TENANT_REGISTRY'] || DEFAULT_TENANT_REGISTRY,
    // A person at a terminal reads the log: lines for people, unless LOG_FORMAT asks for JSON.
    LOG_FORMAT: env['LOG_FORMAT'] || 'pretty',
    // The example purposes: P-32 and P-36 allow payments (NemKonto), the demo caseworker's does not.
    PURPOSES: env['PURPOSES'] || fileURLToPath(new URL('../config/purposes.example.json', import.meta.url)),
  });
}

function trailLocation(config: GatewayConfig): string {
  return config.audit && 'dir' in config.audit ? config.audit.dir : 'the PostgreSQL server AUDIT_DATABASE_URL names';
}

async function banner(stack: LocalStack, config: GatewayConfig): Promise<string> {
  const samples = sampleCitizens(stack.world);
  const sample = samples.get('0101') ?? [...samples.values()][0];
  const cpr = sample ? formatCpr(sample.cpr) : '';
  const token = await stack.devIdentity!.mint(demoClaims('caseworker'));
  // The sample citizen, signed in to self-service: their own page answers with no error.
  const citizenToken = sample ? await stack.devIdentity!.mint(demoClaims('citizen', { sub: sample.cpr })) : '';
  const auditEnv = process.env['AUDIT_DIR'] ? `AUDIT_DIR=${process.env['AUDIT_DIR']} ` : '';
  const line = '─'.repeat(72);
  return `
${line}
Gateway ready in ${Date.now() - started} ms:

  ${stack.gateway.url}
  (open it in a browser: the explorer, with the sample operations and the demo roles to ask as)

Sample CPR (synthetic, a substitute number): ${cpr}
Other municipalities: ${[...samples.entries()].filter(([code]) => code !== '0101').map(([code, p]) => `${code} ${formatCpr(p.cpr)}`).join(', ')}

Sample query:
${CITIZEN_OVERVIEW_QUERY}

A caseworker of København (development identity provider; \`npm run token -- --help\` for other roles):
  Authorization: Bearer ${token}

The sample citizen, for their own page (self-service; \`npm run token -- citizen --sub DDMMYYSSSS\` for another):
  Authorization: Bearer ${citizenToken}
  query MyPage($cpr: CPR!) { citizen(cpr: $cpr) { name { full } cases { number status procedure { currentStep { name } } } } }

Try it:
  curl -s ${stack.gateway.url} -H 'content-type: application/json' \\
    -H 'Authorization: Bearer ${token}' \\
    -d '{"query":"query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } address { text } cases { number title } } }","variables":{"cpr":"${cpr}"}}'

Simulators: ${stack.allSimulators().map((s) => `${s.name} ${s.url}`).join(', ')}
Subgraphs:  ${stack.subgraphs.map((s) => `${s.name} ${s.url}`).join(', ')}
Metrics (Prometheus, the gateway's, the subgraphs' and the process's): ${stack.gateway.metrics.url}
  (catalogue: docs/operators.md#metrics; METRICS_PORT sets the port, a free one otherwise)
Traces: ${tracing ? `OTLP/HTTP to ${tracing.url}, services gateway and subgraph:<name>` : 'off (OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 sends them to a collector there)'}

npm start sets: the gateway's subgraph URLs (the subgraphs above), its identity provider (the
  development one in ${DEV_IDENTITY_DIR}), its gateway-to-subgraph keys (made for this run), the access trail
  (${trailLocation(config)}) and the tenant registry (${config.tenantRegistryPath}).
  Every other gateway setting (README, Configuration) is read as npm run start:gateway reads it.
Tenant registry: ${config.tenantRegistryPath}, written at this start from the simulators above; edit it while
  this runs (remove a municipality, move an ESDH) and the change takes effect. TENANT_REGISTRY names another file.
Every access to personal data is recorded in ${trailLocation(config)}: ${auditEnv}npm run audit -- --subject ${cpr}; ${auditEnv}npm run audit:verify.
Ctrl-C (or SIGTERM) stops everything; a second Ctrl-C exits at once.
${line}`;
}

function exitWith(error: unknown): never {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
