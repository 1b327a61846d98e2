/**
 * Gateway configuration: parsed once from the environment and arguments by one zod schema,
 * defaults in one object, result frozen. A bad value stops start with every issue listed under
 * CONFIG_INVALID. No other gateway module reads process.env.
 *
 * | setting | env / argument | default |
 * |---|---|---|
 * | port | PORT | 4000 |
 * | host | HOST | localhost |
 * | subgraphListPath | SUBGRAPHS_CONFIG | subgraphs.json (the list of subgraphs: schema/subgraphs.ts) |
 * | supergraphPath | --supergraph FILE, SUPERGRAPH_PATH | the list's `supergraph` (schema/supergraph.graphql); re-read when it changes |
 * | subgraphUrls | SUBGRAPH_URL_<NAME> (e.g. SUBGRAPH_URL_CITIZEN); a NAME neither the list nor the supergraph knows is refused | the URLs in the supergraph |
 * | production | NODE_ENV=production | false |
 * | maxBodyBytes | MAX_BODY_BYTES | 102400 |
 * | requestBudgetMs | REQUEST_BUDGET_MS | 3000 |
 * | trustedDocumentsPath | TRUSTED_DOCUMENTS | none (any valid operation runs) |
 * | internalTokenKeyPath | INTERNAL_TOKEN_PRIVATE_JWK | required by `npm run start:gateway` (`npm start` makes its own) |
 * | audit.dir / audit.databaseUrl + audit.keysPath | AUDIT_DIR / AUDIT_DATABASE_URL + AUDIT_KEYS | required with NODE_ENV=production (no audit, no data) |
 * | tenantRegistryPath | TENANT_REGISTRY | none (records carry no CVR number; any municipality's token is accepted) |
 * | auth.issuer, audience, jwksPath, algorithms | AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_FILE, AUTH_ALGORITHMS | off in development (anyone may ask); required with NODE_ENV=production |
 * | limits.maxDepth, maxAliases, maxTokens, maxDirectives, maxCost | MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_DIRECTIVES, MAX_COST | 12, 15, 2000, 20, 5000 |
 * | shutdownDelayMs | SHUTDOWN_DELAY_MS | 0 (on SIGTERM, how long /ready says draining before the gateway stops accepting) |
 * | rateLimit.perSecond, burst | RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST | 100, 200 (per municipality; 0 turns it off) |
 * | metrics.port, host | METRICS_PORT, METRICS_HOST | off (no listener); 127.0.0.1 (Prometheus /metrics on a listener of its own: runtime/metrics.ts) |
 * | metrics.maxOperationNames | METRICS_MAX_OPERATIONS | 100 (operation names counted before the rest are "(other)"; with trusted documents, the manifest's names) |
 * | log.level, format | LOG_LEVEL, LOG_FORMAT | info, json (`npm start`: pretty); runtime/log.ts |
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from '../runtime/config';
import { logDefaults, logFormatSchema, logLevelSchema, type LogFormat, type LogLevel } from '../runtime/log';
import { metricsDefaults, metricsHostSchema, metricsPortSchema } from '../runtime/metrics';
import { loadSubgraphList, supergraphPath as defaultSupergraphPath, supergraphSubgraphs, type SubgraphList } from '../schema/subgraphs';

export const gatewayDefaults = {
  port: 4000,
  // loopback only; 'localhost' so the printed URL is the one a browser and curl resolve alike
  host: 'localhost',
  supergraphPath: defaultSupergraphPath,
  production: false,
  maxBodyBytes: 102_400, // 100 KiB: a large operation is a few KiB
  requestBudgetMs: 3_000, // a client request, all legacy calls included
  shutdownDelayMs: 0, // behind a load balancer: its health-check interval, so it stops sending work first
  shareSubgraphFetches: true, // identical reads in flight, for identical decisions, share one subgraph fetch
  prefetchEntities: true, // an entity fetch that needs only a key the query names goes at once (gateway/prefetch.ts)
  leanPlanExecutor: true, // query plans run by the gateway's own executor (gateway/planExecutor.ts), not @apollo/gateway's
  limits: {
    maxDepth: 12, // the overview query is 6 deep
    maxAliases: 15,
    maxTokens: 2_000, // the overview query is ~110 tokens
    maxDirectives: 20,
    maxCost: 5_000, // the overview query costs ~1,500 with list sizes as below
  },
  rateLimit: {
    perSecond: 100, // per municipality (else per actor, else per client address), per gateway process
    burst: 200,
  },
  metrics: {
    // no port: no metrics listener unless METRICS_PORT asks for one
    host: metricsDefaults.host,
    maxOperationNames: 100, // distinct operation labels; each costs a counter and a histogram per outcome
  },
  log: logDefaults, // info: one line per request and every warning; json lines
} as const;

const positiveInt = z.coerce.number().int().positive();

const gatewayConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(gatewayDefaults.port),
  host: z.string().min(1).default(gatewayDefaults.host),
  supergraphPath: z.string().min(1).default(gatewayDefaults.supergraphPath),
  /** The subgraph list (subgraphs.json) a deployment names with SUBGRAPHS_CONFIG; absent: the project's. */
  subgraphListPath: z.string().min(1).optional(),
  /** Subgraph URLs by subgraph name, overriding those in the supergraph. */
  subgraphUrls: z.record(z.string(), z.string().url()).default({}),
  /** Production: no introspection, no field suggestions. */
  production: z.boolean().default(gatewayDefaults.production),
  maxBodyBytes: positiveInt.default(gatewayDefaults.maxBodyBytes),
  /** The whole request's time budget; subgraphs get what is left of it on every call. */
  requestBudgetMs: positiveInt.default(gatewayDefaults.requestBudgetMs),
  /** On shutdown, how long /ready answers "draining" while requests are still taken, before the server stops accepting. */
  shutdownDelayMs: z.coerce.number().int().nonnegative().default(gatewayDefaults.shutdownDelayMs),
  /** Identical subgraph reads in flight for the same decision share one fetch (gateway/subgraphDedup.ts). */
  shareSubgraphFetches: z.boolean({ error: 'must be true or false (SHARE_SUBGRAPH_FETCHES)' }).default(gatewayDefaults.shareSubgraphFetches),
  /** Entity fetches that need only a key the query names are made beside the fetch that returns the entity (gateway/prefetch.ts). */
  prefetchEntities: z.boolean({ error: 'must be true or false (PREFETCH_ENTITIES)' }).default(gatewayDefaults.prefetchEntities),
  /** Query plans run by gateway/planExecutor.ts; false: by @apollo/gateway's executor (same answers, more CPU). */
  leanPlanExecutor: z.boolean({ error: 'must be true or false (LEAN_PLAN_EXECUTOR)' }).default(gatewayDefaults.leanPlanExecutor),
  /** The purpose catalogue: processing activities and the uses each allows (gateway/auth/purposes.ts); absent: none allows any. */
  purposesPath: z.string().min(1).optional(),
  /** A JSON manifest of the only operations allowed to run (trusted documents mode). */
  trustedDocumentsPath: z.string().min(1).optional(),
  /** The tenant registry file (runtime/tenantRegistry.ts): the municipalities served, their names and CVR numbers. */
  tenantRegistryPath: z.string().min(1).optional(),
  /** The Ed25519 private JWK (a JSON file) that signs internal tokens for subgraph calls. */
  internalTokenKeyPath: z.string().min(1).optional(),
  /**
   * Where access records go: an embedded trail in a folder (PGlite, keys kept beside it) or a
   * PostgreSQL server with a keys file (subject HMAC key and checkpoint signing key).
   */
  audit: z
    .union([
      z.object({ dir: z.string().min(1) }),
      z.object({ databaseUrl: z.string().min(1), keysPath: z.string().min(1), schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('audit') }),
    ])
    .optional(),
  /** Bearer-token authentication of clients; absent means development mode without identities. */
  auth: z
    .object({
      issuer: z.string().min(1),
      audience: z.string().min(1),
      /** A JSON Web Key Set file with the identity provider's public keys */
      jwksPath: z.string().min(1),
      algorithms: z.array(z.string().regex(/^(RS|PS|ES)(256|384|512)$|^EdDSA$/, 'must be an asymmetric JWS algorithm')).nonempty().default(['EdDSA', 'ES256', 'RS256']),
    })
    .optional(),
  limits: z
    .object({
      maxDepth: positiveInt.default(gatewayDefaults.limits.maxDepth),
      maxAliases: positiveInt.default(gatewayDefaults.limits.maxAliases),
      maxTokens: positiveInt.default(gatewayDefaults.limits.maxTokens),
      maxDirectives: positiveInt.default(gatewayDefaults.limits.maxDirectives),
      maxCost: positiveInt.default(gatewayDefaults.limits.maxCost),
    })
    .default(gatewayDefaults.limits),
  /** Requests per second, and at once after being idle, per municipality; perSecond 0 turns the limit off. */
  rateLimit: z
    .object({
      perSecond: z.coerce.number().nonnegative().default(gatewayDefaults.rateLimit.perSecond),
      burst: positiveInt.default(gatewayDefaults.rateLimit.burst),
    })
    .default(gatewayDefaults.rateLimit),
  /**
   * Prometheus metrics (gateway/metrics.ts), served on a listener of their own when `port` is
   * set, apart from the API; `host` defaults to loopback.
   */
  metrics: z
    .object({
      port: metricsPortSchema.optional(),
      host: metricsHostSchema.optional(),
      maxOperationNames: z.coerce.number().int().positive('must be a positive whole number (METRICS_MAX_OPERATIONS)').default(gatewayDefaults.metrics.maxOperationNames),
    })
    .superRefine((metrics, context) => {
      if (metrics.host !== undefined && metrics.port === undefined) {
        context.addIssue({ code: 'custom', path: ['host'], message: 'METRICS_HOST is set but METRICS_PORT is not: metrics are served only on the port METRICS_PORT names' });
      }
    })
    .transform(({ host, ...metrics }) => ({ ...metrics, host: host ?? gatewayDefaults.metrics.host }))
    .default({ host: gatewayDefaults.metrics.host, maxOperationNames: gatewayDefaults.metrics.maxOperationNames }),
  /** What the gateway logs and how (runtime/log.ts): the start commands configure the process's logger with it. */
  log: z
    .object({
      level: logLevelSchema.default(gatewayDefaults.log.level),
      format: logFormatSchema.default(gatewayDefaults.log.format),
    })
    .default(gatewayDefaults.log),
});

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export { ConfigInvalid };

export function parseGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const config = parseConfig('gateway', gatewayConfigSchema, input);
  const missing: string[] = [];
  if (config.production && !config.auth) missing.push('auth: production (NODE_ENV=production) needs AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_FILE');
  if (config.production && !config.audit) missing.push('audit: production (NODE_ENV=production) needs AUDIT_DIR, or AUDIT_DATABASE_URL and AUDIT_KEYS: no audit, no data');
  if (config.metrics.port !== undefined && config.metrics.port !== 0 && config.metrics.port === config.port) {
    missing.push(`metrics.port: METRICS_PORT must differ from PORT (both ${config.port}): metrics are served apart from the API`);
  }
  if (missing.length > 0) throw new ConfigInvalid('gateway', missing);
  return config;
}

/** The configuration from the environment and command-line arguments. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  const urlSettings: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_URL_(.+)$/.exec(key);
    if (!match || !value) continue;
    const name = (match[1] as string).toLowerCase();
    subgraphUrls[name] = value;
    urlSettings[name] = key;
  }
  const flag = argv.indexOf('--supergraph');
  const supergraphArg = flag >= 0 ? argv[flag + 1] : undefined;
  if (flag >= 0 && !supergraphArg) throw new ConfigInvalid('gateway', ['--supergraph: give the path of a supergraph SDL file']);
  const subgraphListPath = env['SUBGRAPHS_CONFIG'] || undefined;
  // The list is read when it is named, or when subgraph URLs are set (their names are checked against it).
  let list: SubgraphList | undefined;
  const subgraphIssues: string[] = [];
  if (subgraphListPath || Object.keys(urlSettings).length > 0) {
    try {
      list = loadSubgraphList(subgraphListPath);
    } catch (error) {
      subgraphIssues.push(`${subgraphListPath ? 'SUBGRAPHS_CONFIG' : 'subgraphs.json'}: ${(error as Error).message}`);
    }
  }
  const supergraphPath = supergraphArg ?? (env['SUPERGRAPH_PATH'] || undefined) ?? (subgraphListPath ? list?.supergraphPath : undefined);
  if (list) subgraphIssues.push(...unknownSubgraphs(urlSettings, list, supergraphPath ?? gatewayDefaults.supergraphPath));
  const fromEnv = (name: string) => (env[name] ? { value: env[name] as unknown as number } : undefined);
  const limits: Record<string, number> = {};
  for (const [key, name] of [['maxDepth', 'MAX_DEPTH'], ['maxAliases', 'MAX_ALIASES'], ['maxTokens', 'MAX_TOKENS'], ['maxDirectives', 'MAX_DIRECTIVES'], ['maxCost', 'MAX_COST']] as const) {
    const v = fromEnv(name);
    if (v) limits[key] = v.value;
  }
  let config: GatewayConfig;
  try {
    config = parseGatewayConfig({
      ...(env['PORT'] ? { port: env['PORT'] as unknown as number } : {}),
      ...(env['HOST'] ? { host: env['HOST'] } : {}),
      ...(supergraphPath ? { supergraphPath } : {}),
      ...(subgraphListPath ? { subgraphListPath } : {}),
      subgraphUrls,
      production: env['NODE_ENV'] === 'production',
      ...(env['MAX_BODY_BYTES'] ? { maxBodyBytes: env['MAX_BODY_BYTES'] as unknown as number } : {}),
      ...(env['REQUEST_BUDGET_MS'] ? { requestBudgetMs: env['REQUEST_BUDGET_MS'] as unknown as number } : {}),
      ...(env['SHUTDOWN_DELAY_MS'] ? { shutdownDelayMs: env['SHUTDOWN_DELAY_MS'] as unknown as number } : {}),
      ...(env['TRUSTED_DOCUMENTS'] ? { trustedDocumentsPath: env['TRUSTED_DOCUMENTS'] } : {}),
      ...(env['PURPOSES'] ? { purposesPath: env['PURPOSES'] } : {}),
      ...(env['SHARE_SUBGRAPH_FETCHES'] ? { shareSubgraphFetches: booleanSetting(env['SHARE_SUBGRAPH_FETCHES']) } : {}),
      ...(env['PREFETCH_ENTITIES'] ? { prefetchEntities: booleanSetting(env['PREFETCH_ENTITIES']) } : {}),
      ...(env['LEAN_PLAN_EXECUTOR'] ? { leanPlanExecutor: booleanSetting(env['LEAN_PLAN_EXECUTOR']) } : {}),
      ...(env['TENANT_REGISTRY'] ? { tenantRegistryPath: env['TENANT_REGISTRY'] } : {}),
      ...(env['INTERNAL_TOKEN_PRIVATE_JWK'] ? { internalTokenKeyPath: env['INTERNAL_TOKEN_PRIVATE_JWK'] } : {}),
      ...(env['AUDIT_DATABASE_URL'] || env['AUDIT_KEYS']
        ? { audit: { databaseUrl: env['AUDIT_DATABASE_URL'] ?? '', keysPath: env['AUDIT_KEYS'] ?? '', ...(env['AUDIT_SCHEMA'] ? { schema: env['AUDIT_SCHEMA'] } : {}) } }
        : env['AUDIT_DIR']
          ? { audit: { dir: env['AUDIT_DIR'] } }
          : {}),
      ...(env['AUTH_ISSUER'] || env['AUTH_AUDIENCE'] || env['AUTH_JWKS_FILE']
        ? {
            auth: {
              issuer: env['AUTH_ISSUER'] ?? '',
              audience: env['AUTH_AUDIENCE'] ?? '',
              jwksPath: env['AUTH_JWKS_FILE'] ?? '',
              ...(env['AUTH_ALGORITHMS'] ? { algorithms: env['AUTH_ALGORITHMS'].split(',').map((a) => a.trim()) as [string, ...string[]] } : {}),
            },
          }
        : {}),
      limits,
      rateLimit: {
        ...(env['RATE_LIMIT_PER_SECOND'] ? { perSecond: env['RATE_LIMIT_PER_SECOND'] as unknown as number } : {}),
        ...(env['RATE_LIMIT_BURST'] ? { burst: env['RATE_LIMIT_BURST'] as unknown as number } : {}),
      },
      metrics: {
        ...(env['METRICS_PORT'] ? { port: env['METRICS_PORT'] as unknown as number } : {}),
        ...(env['METRICS_HOST'] ? { host: env['METRICS_HOST'] } : {}),
        ...(env['METRICS_MAX_OPERATIONS'] ? { maxOperationNames: env['METRICS_MAX_OPERATIONS'] as unknown as number } : {}),
      },
      log: {
        // Checked by the schema, which names the values it takes.
        ...(env['LOG_LEVEL'] ? { level: env['LOG_LEVEL'] as LogLevel } : {}),
        ...(env['LOG_FORMAT'] ? { format: env['LOG_FORMAT'] as LogFormat } : {}),
      },
    });
  } catch (error) {
    // Every problem at once: the subgraph list's with the others.
    if (error instanceof ConfigInvalid && subgraphIssues.length > 0) throw new ConfigInvalid('gateway', [...subgraphIssues, ...error.issues]);
    throw error;
  }
  if (subgraphIssues.length > 0) throw new ConfigInvalid('gateway', subgraphIssues);
  return config;
}

/**
 * SUBGRAPH_URL_<NAME> settings naming a subgraph that neither the subgraph list nor the
 * supergraph served knows: a typo would otherwise be ignored and the subgraph called at its
 * default URL. The supergraph counts too, so a gateway over a graph that is not ours takes URLs
 * for its subgraphs; the list, so a subgraph's URL can be set before its supergraph goes live.
 */
function unknownSubgraphs(settings: Readonly<Record<string, string>>, list: SubgraphList, supergraphPath: string): string[] {
  if (Object.keys(settings).length === 0) return [];
  const known = new Set<string>(list.names);
  const sources = [`the subgraph list ${list.path}`];
  try {
    for (const { name } of supergraphSubgraphs(readFileSync(supergraphPath, 'utf8'))) known.add(name);
    sources.push(`the supergraph ${supergraphPath}`);
  } catch {
    // An unreadable supergraph stops start with its own message; the list alone decides here.
  }
  const names = [...known].sort();
  return Object.entries(settings)
    .filter(([name]) => !known.has(name))
    .map(([name, setting]) => `${setting}: there is no subgraph named ${name}; the known subgraphs are ${names.join(', ')} (from ${sources.join(' and ')})`);
}

/**
 * No data leaves a municipality: Apollo's libraries must not phone home. Set before any Apollo
 * module does its work; the npm scripts set it too.
 */
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env['APOLLO_TELEMETRY_DISABLED'] = '1';
}

/** `true` or `false` as the boolean; anything else as it is, for the schema to refuse naming the variable. */
function booleanSetting(text: string): boolean {
  return text === 'true' ? true : text === 'false' ? false : (text as unknown as boolean);
}
