/**
 * Gateway configuration: parsed once from the environment and arguments by one zod schema,
 * defaults in one object, result frozen. A bad value stops start with every issue listed under
 * CONFIG_INVALID. No other gateway module reads process.env.
 *
 * | setting | env / argument | default |
 * |---|---|---|
 * | port | PORT | 4000 |
 * | host | HOST | localhost |
 * | supergraphPath | --supergraph FILE, SUPERGRAPH_PATH | schema/supergraph.graphql |
 * | subgraphUrls | SUBGRAPH_URL_<NAME> (e.g. SUBGRAPH_URL_CITIZEN) | the URLs in the supergraph |
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
 */
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from '../runtime/config';
import { supergraphPath as defaultSupergraphPath } from '../schema/subgraphs';

export const gatewayDefaults = {
  port: 4000,
  // loopback only; 'localhost' so the printed URL is the one a browser and curl resolve alike
  host: 'localhost',
  supergraphPath: defaultSupergraphPath,
  production: false,
  maxBodyBytes: 102_400, // 100 KiB: a large operation is a few KiB
  requestBudgetMs: 3_000, // a client request, all legacy calls included
  shutdownDelayMs: 0, // behind a load balancer: its health-check interval, so it stops sending work first
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
} as const;

const positiveInt = z.coerce.number().int().positive();

const gatewayConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(gatewayDefaults.port),
  host: z.string().min(1).default(gatewayDefaults.host),
  supergraphPath: z.string().min(1).default(gatewayDefaults.supergraphPath),
  /** Subgraph URLs by subgraph name, overriding those in the supergraph. */
  subgraphUrls: z.record(z.string(), z.string().url()).default({}),
  /** Production: no introspection, no field suggestions. */
  production: z.boolean().default(gatewayDefaults.production),
  maxBodyBytes: positiveInt.default(gatewayDefaults.maxBodyBytes),
  /** The whole request's time budget; subgraphs get what is left of it on every call. */
  requestBudgetMs: positiveInt.default(gatewayDefaults.requestBudgetMs),
  /** On shutdown, how long /ready answers "draining" while requests are still taken, before the server stops accepting. */
  shutdownDelayMs: z.coerce.number().int().nonnegative().default(gatewayDefaults.shutdownDelayMs),
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
});

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export { ConfigInvalid };

export function parseGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  const config = parseConfig('gateway', gatewayConfigSchema, input);
  const missing: string[] = [];
  if (config.production && !config.auth) missing.push('auth: production (NODE_ENV=production) needs AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_FILE');
  if (config.production && !config.audit) missing.push('audit: production (NODE_ENV=production) needs AUDIT_DIR, or AUDIT_DATABASE_URL and AUDIT_KEYS: no audit, no data');
  if (missing.length > 0) throw new ConfigInvalid('gateway', missing);
  return config;
}

/** The configuration from the environment and command-line arguments. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_URL_([A-Z0-9_]+)$/.exec(key);
    if (match && value) subgraphUrls[(match[1] as string).toLowerCase()] = value;
  }
  const flag = argv.indexOf('--supergraph');
  const supergraphArg = flag >= 0 ? argv[flag + 1] : undefined;
  if (flag >= 0 && !supergraphArg) throw new ConfigInvalid('gateway', ['--supergraph: give the path of a supergraph SDL file']);
  const fromEnv = (name: string) => (env[name] ? { value: env[name] as unknown as number } : undefined);
  const limits: Record<string, number> = {};
  for (const [key, name] of [['maxDepth', 'MAX_DEPTH'], ['maxAliases', 'MAX_ALIASES'], ['maxTokens', 'MAX_TOKENS'], ['maxDirectives', 'MAX_DIRECTIVES'], ['maxCost', 'MAX_COST']] as const) {
    const v = fromEnv(name);
    if (v) limits[key] = v.value;
  }
  return parseGatewayConfig({
    ...(env['PORT'] ? { port: env['PORT'] as unknown as number } : {}),
    ...(env['HOST'] ? { host: env['HOST'] } : {}),
    ...(supergraphArg ?? env['SUPERGRAPH_PATH'] ? { supergraphPath: (supergraphArg ?? env['SUPERGRAPH_PATH']) as string } : {}),
    subgraphUrls,
    production: env['NODE_ENV'] === 'production',
    ...(env['MAX_BODY_BYTES'] ? { maxBodyBytes: env['MAX_BODY_BYTES'] as unknown as number } : {}),
    ...(env['REQUEST_BUDGET_MS'] ? { requestBudgetMs: env['REQUEST_BUDGET_MS'] as unknown as number } : {}),
    ...(env['SHUTDOWN_DELAY_MS'] ? { shutdownDelayMs: env['SHUTDOWN_DELAY_MS'] as unknown as number } : {}),
    ...(env['TRUSTED_DOCUMENTS'] ? { trustedDocumentsPath: env['TRUSTED_DOCUMENTS'] } : {}),
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
  });
}

/**
 * No data leaves a municipality: Apollo's libraries must not phone home. Set before any Apollo
 * module does its work; the npm scripts set it too.
 */
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env['APOLLO_TELEMETRY_DISABLED'] = '1';
}
