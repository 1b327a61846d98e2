/**
 * The gateway: Apollo Server over @apollo/gateway, serving a supergraph file. It meets the
 * subgraphs only over HTTP and the composed supergraph; it imports none of them.
 *
 * In order: body limit (HTTP) → trusted documents → operation limits (tokens, depth, aliases,
 * directives, cost) → CPR argument validation → planning and subgraph calls within the request's
 * budget → stale-data notice → error masking.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { IncomingMessage } from 'node:http';
import { memoryReport, startGraphQLHttpServer, writeJson, type Refusal, type RunningHttpServer } from '../runtime/httpServer';
import { createInternalTokenSigner, INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../runtime/internalToken';
import { describeForLog } from '../runtime/redact';
import { createResponseExtensionPlugin } from '../runtime/responseExtension';
import type { JWK } from 'jose';
import { tenantRegistryFile } from '../runtime/tenantRegistry';
import { disableApolloTelemetry, type GatewayConfig } from './config';
import { costLimitRule } from './plugins/costLimit';
import { AuthenticationFailed, createAuthenticator, PURPOSE_HEADER, type Identity } from './auth/authenticate';
import { readAccessPolicy, type AccessPolicy } from '../schema/accessPolicy';
import { authorizingGateway, createFieldAuthorizer } from './auth/fieldAuthorization';
import { createOperationAccessReader } from './auth/operationAccess';
import { createRequirePurposePlugin } from './auth/requirePurpose';
import { createRolesPlugin } from './auth/roles';
import type { AuditTrail } from '../audit';
import { auditedAccess } from './recorder';
import { createAccessTrailPlugin, deniedAccess, mergeAccessReport, type AccessTrailContext, type RequestAccess } from './plugins/accessTrail';
import { auditRoutes } from './auditApi';
import { classifySubgraphFailure, maskError } from './plugins/maskErrors';
import { createRateLimiter, rateLimitKey } from './plugins/rateLimit';
import { createRequireOperationPlugin } from './plugins/requireOperation';
import { loadTrustedDocuments, trustedDocumentsGuard } from './plugins/trustedDocuments';
import { createValidateCprArgumentsPlugin } from './plugins/validateCprArguments';

/** Header carrying the milliseconds left of the client request's budget. */
export const REQUEST_BUDGET_HEADER = 'x-request-budget-ms';
/** Subgraph response extension naming legacy systems answered from stale cache. */
const SUBGRAPH_STALE_EXTENSION = 'legacyStale';
/** Subgraph response extension listing the personal data it touched, per subject. */
const SUBGRAPH_ACCESS_EXTENSION = 'legacyAccess';

/** A subgraph gets this long past the budget to answer with what it has before the gateway stops waiting. */
const SUBGRAPH_GRACE_MS = 250;

export type { RequestAccess } from './plugins/accessTrail';

export interface GatewayContext extends BaseContext, AccessTrailContext {
  /** When the request's budget is spent (epoch milliseconds). */
  deadlineAt: number;
  /** Legacy systems whose cached data some subgraph served stale. */
  stale: Set<string>;
}

/** A municipality as the gateway names it: in the citizen's view of the trail, and by CVR number in records. */
export interface Organisation {
  name: string;
  cvr: string;
}

export interface RunningGateway extends RunningHttpServer {
  /** The subgraph URL each service name resolved to. */
  subgraphUrls: Readonly<Record<string, string>>;
}

export interface GatewayOptions {
  /** The private key (Ed25519 JWK) the gateway signs internal tokens for subgraph calls with. */
  internalTokenKey: JWK;
  /** Where unexpected errors are reported (they reach clients only as "Unexpected error."). */
  onUnexpectedError?: (error: unknown) => void;
  /**
   * Told, before the response leaves, which personal data a request touched (the seam the audit
   * trail plugs into). Awaited: the response waits for it.
   */
  onAccess?: (access: RequestAccess) => Promise<void>;
  /**
   * The access trail: every access is recorded in it before the answer leaves (fail closed), and
   * with authentication on, its API is served at /audit/records (auditors) and /audit/me (citizens).
   */
  audit?: { trail: AuditTrail; subjectKey: Buffer };
}

const logUnexpected = (error: unknown) => {
  const cause = (error as { originalError?: { cause?: unknown } })?.originalError?.cause;
  console.error(`[gateway] unexpected error: ${describeForLog(error)}${cause ? ` (cause: ${describeForLog(cause)})` : ''}`);
};

/**
 * Node's fetch, stopping when the request's budget (sent as a header) is spent: a hung subgraph
 * cannot hold a client past its deadline. Never retries: a subgraph call may carry a mutation.
 */
const budgetedFetch: Fetcher = async (url, init) => {
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const budget = Number(headers[REQUEST_BUDGET_HEADER] ?? 0);
  const signal = AbortSignal.timeout((Number.isFinite(budget) && budget > 0 ? budget : 1) + SUBGRAPH_GRACE_MS);
  return (await fetch(url, { ...(init as RequestInit), signal })) as unknown as Awaited<ReturnType<Fetcher>>;
};

/** Adds `extensions.stale` to the client's response when any subgraph served stale registry data. */
const staleNotice = createResponseExtensionPlugin<GatewayContext>('stale', (context) =>
  context.stale.size > 0 ? [...context.stale].sort() : undefined,
);

export async function startGateway(config: GatewayConfig, givenOptions: GatewayOptions): Promise<RunningGateway> {
  disableApolloTelemetry();
  const tenants = config.tenantRegistryPath ? tenantRegistryFile(config.tenantRegistryPath) : undefined;
  tenants?.onRefused((error) => console.error(`[gateway] tenant registry change refused; version ${tenants.current().version} stays in force. ${error.message}`));
  /** The municipality a kommunekode names, as the registry in force says. */
  const organisation = (code: string): Organisation | undefined => {
    const m = tenants?.current().byCode.get(code);
    return m ? { name: `${m.name} Kommune`, cvr: m.cvr } : undefined;
  };
  const options: GatewayOptions = givenOptions.audit
    ? { ...givenOptions, onAccess: auditedAccess(givenOptions.audit.trail, givenOptions.audit.subjectKey, (code) => organisation(code)?.cvr ?? null) }
    : givenOptions;
  const signer: InternalTokenSigner = await createInternalTokenSigner(options.internalTokenKey);
  const onUnexpectedError = options.onUnexpectedError ?? logUnexpected;
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  } catch {
    throw new Error(`cannot read the supergraph file ${config.supergraphPath}`);
  }
  let policy: AccessPolicy;
  try {
    policy = readAccessPolicy(supergraphSdl);
  } catch (error) {
    throw new Error(`the supergraph's access rules are invalid: ${(error as Error).message}`);
  }
  const readAccess = createOperationAccessReader(policy);
  const authorizeFields = createFieldAuthorizer(policy, readAccess);
  const trusted = config.trustedDocumentsPath ? loadTrustedDocuments(config.trustedDocumentsPath) : undefined;
  const authenticator = config.auth
    ? createAuthenticator({ issuer: config.auth.issuer, audience: config.auth.audience, algorithms: [...config.auth.algorithms], jwks: readJwks(config.auth.jwksPath) })
    : undefined;
  if (!authenticator) console.warn('[gateway] authentication is off (development): anyone may ask for personal data');
  const identities = new WeakMap<IncomingMessage, Identity | null>();
  const trustedGuard = trusted ? trustedDocumentsGuard(trusted) : undefined;
  const rateLimiter = config.rateLimit.perSecond > 0 ? createRateLimiter(config.rateLimit) : undefined;
  // A tenth of the request rate may fail authentication per address (at least 1/s, 10 at once).
  const failedAuthentications =
    config.rateLimit.perSecond > 0
      ? createRateLimiter({ perSecond: Math.max(1, config.rateLimit.perSecond / 10), burst: Math.max(10, Math.round(config.rateLimit.burst / 10)) })
      : undefined;
  const limited = (key: string): Refusal | undefined => (rateLimiter ? limitedBy(rateLimiter, key) : undefined);
  const limitedBy = (limiter: ReturnType<typeof createRateLimiter>, key: string): Refusal | undefined => {
    const verdict = limiter.take(key);
    if (verdict.allowed) return undefined;
    return {
      status: 429,
      headers: { 'retry-after': String(verdict.retryAfterSeconds) },
      errors: [{ message: `Too many requests for ${key.startsWith('tenant:') ? `municipality ${key.slice(7)}` : 'this caller'}: try again in ${verdict.retryAfterSeconds} s.`, extensions: { code: 'RATE_LIMITED' } }],
    };
  };
  const guard = async (req: IncomingMessage, query: string | undefined): Promise<Refusal | undefined> => {
    const refused = trustedGuard?.(query);
    if (refused) return refused;
    if (!authenticator) return limited(rateLimitKey(null, req.socket.remoteAddress));
    const header = req.headers['authorization'];
    const purpose = req.headers[PURPOSE_HEADER];
    const caseReference = req.headers['x-case-reference'];
    // Failed authentications per client address are limited apart: a bad token is refused
    // without verifying it once the address has failed too often.
    const address = req.socket.remoteAddress;
    if (failedAuthentications && !failedAuthentications.peek(`address:${address ?? 'unknown'}`)) return limitedBy(failedAuthentications, `address:${address ?? 'unknown'}`);
    let identity: Identity | null;
    try {
      identity = await authenticator.authenticate(
        typeof header === 'string' ? header : undefined,
        typeof purpose === 'string' ? purpose : undefined,
        typeof caseReference === 'string' ? caseReference : undefined,
      );
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) throw error;
      failedAuthentications?.take(`address:${address ?? 'unknown'}`);
      return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] };
    }
    identities.set(req, identity);
    return limited(rateLimitKey(identity, req.socket.remoteAddress));
  };
  const resolvedUrls: Record<string, string> = {};
  const apolloGateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}: set SUBGRAPH_URL_${name.toUpperCase()}`);
      resolvedUrls[name] = target;
      return new RemoteGraphQLDataSource<GatewayContext>({
        url: target,
        fetcher: budgetedFetch,
        willSendRequest: async ({ request, context }) => {
          // Client headers (Authorization included) are not forwarded; only ours are.
          if (!context.requestId) return;
          const left = context.deadlineAt - Date.now();
          // A spent budget: the subgraph would only answer "timed out"; do not ask it.
          if (left <= 0) throw new DOMException('the request budget is spent', 'TimeoutError');
          // One token per call: subgraphs refuse a token they have seen.
          const { identity } = context;
          const token = await signer.sign({
            actor: identity?.actor ?? null,
            roles: identity?.roles ?? [],
            tenant: identity?.tenant ?? null,
            purpose: identity?.purpose ?? null,
            requestId: context.requestId,
          });
          request.http?.headers.set(INTERNAL_TOKEN_HEADER, token);
          request.http?.headers.set(REQUEST_BUDGET_HEADER, String(left));
        },
        didReceiveResponse: ({ response, context }) => {
          const stale = response.extensions?.[SUBGRAPH_STALE_EXTENSION];
          if (Array.isArray(stale)) for (const system of stale) if (typeof system === 'string') context.stale?.add(system);
          if (context.access) mergeAccessReport(context.access, response.extensions?.[SUBGRAPH_ACCESS_EXTENSION]);
          // Subgraph reports are for the gateway alone; none reaches a client.
          if (response.extensions) {
            delete response.extensions[SUBGRAPH_STALE_EXTENSION];
            delete response.extensions[SUBGRAPH_ACCESS_EXTENSION];
          }
          return response;
        },
      });
    },
  });

  // Field-level authorization wraps the gateway: it rewrites the operation before planning.
  const gateway = authorizingGateway(apolloGateway, (requestContext) => {
    const context = requestContext.context as GatewayContext;
    if (!context.identity) return undefined;
    const authorized = authorizeFields(requestContext.schema, requestContext.document, requestContext.operation, context.identity);
    for (const field of authorized?.deniedFields ?? []) context.deniedFields.add(field);
    return authorized;
  });

  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth },
    maxAliases: { n: config.limits.maxAliases },
    // Tokens are counted by graphql-js's own parser (parseOptions below): armor's plugin reports
    // every syntax error as a 500 validation failure instead of a 400 parse failure.
    maxTokens: { enabled: false },
    maxDirectives: { n: config.limits.maxDirectives },
    // Cost is ours (costLimitRule): armor's weighs depth, not the sizes of nested lists.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.production },
  }).protect();

  // A refused request is recorded like an access, with outcome "denied" and what it asked for.
  const recordDenial = options.onAccess
    ? (denial: Parameters<typeof deniedAccess>[0], context: GatewayContext) => options.onAccess!(deniedAccess(denial, context))
    : undefined;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [...armor.validationRules, costLimitRule({ maxCost: config.limits.maxCost })],
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      createRequireOperationPlugin() as ApolloServerPlugin<GatewayContext>,
      ...(authenticator
        ? [
            createRequirePurposePlugin<GatewayContext>(readAccess, recordDenial),
            createRolesPlugin<GatewayContext>(readAccess, { ...(tenants ? { serves: (code: string) => tenants.current().byCode.has(code) } : {}), ...(recordDenial ? { onDenied: recordDenial } : {}) }),
          ]
        : []),
      createValidateCprArgumentsPlugin() as ApolloServerPlugin<GatewayContext>,
      staleNotice,
      ...(options.onAccess
        ? [createAccessTrailPlugin<GatewayContext>({ readAccess, onAccess: options.onAccess, ...(options.audit ? { canRecord: () => options.audit!.trail.reachable() } : {}) })]
        : []),
    ],
    formatError: (formatted, error) => {
      const masked = maskError(classifySubgraphFailure(formatted, error));
      const code = masked.extensions?.['code'];
      if (code === 'INTERNAL_SERVER_ERROR') onUnexpectedError(error);
      else if (code === 'SUBGRAPH_UNAVAILABLE' || code === 'SUBGRAPH_TIMEOUT') console.warn(`[gateway] ${code}: ${describeForLog(error)}`);
      return masked;
    },
  });
  await apollo.start();

  let draining = false;
  const running = await startGraphQLHttpServer<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    guard,
    context: async (req) => ({
      requestId: randomUUID(),
      traceId: traceIdOf(req.headers['traceparent']),
      identity: identities.get(req) ?? null,
      startedAt: new Date(),
      access: new Map(),
      deniedFields: new Set<string>(),
      deadlineAt: Date.now() + config.requestBudgetMs,
      stale: new Set<string>(),
    }),
    routes: {
      ...(options.audit && authenticator
        ? auditRoutes({ ...options.audit, authenticator, organisation })
        : {}),
      '/health': (req, res) => writeJson(res, 200, { status: 'ok', memory: memoryReport(req.url?.includes('gc=1') ?? false) }),
      // Ready means: take traffic. A subgraph or the access trail being down degrades the answers
      // (partial data; no personal data) but every gateway instance would see the same, so it is
      // reported, not a reason to leave the load balancer; draining is.
      '/ready': async (_req, res) => {
        if (draining) return writeJson(res, 503, { status: 'draining' });
        const [subgraphs, audit] = await Promise.all([
          subgraphReadiness(resolvedUrls),
          options.audit ? withTimeout(options.audit.trail.reachable(), 1_000, false).then((up) => (up ? 'reachable' : 'unreachable')) : Promise.resolve('none'),
        ]);
        const degraded = audit === 'unreachable' || Object.values(subgraphs).some((s) => (s as { status?: string }).status !== 'ready');
        writeJson(res, 200, { status: degraded ? 'degraded' : 'ready', supergraph: 'loaded', audit, subgraphs });
      },
    },
  });
  return {
    ...running,
    subgraphUrls: resolvedUrls,
    close: async () => {
      // Say "draining" on /ready first, so a load balancer stops sending work, then finish what is in flight.
      draining = true;
      if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await running.close();
      tenants?.close();
    },
  };
}

/** The trace id of a W3C traceparent header (version 00), or a new one. */
function traceIdOf(header: string | string[] | undefined): string {
  const match = typeof header === 'string' ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header) : null;
  return match && match[1] !== '0'.repeat(32) ? match[1]! : randomBytes(16).toString('hex');
}

function readJwks(path: string) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as import('jose').JSONWebKeySet;
  } catch {
    throw new Error(`AUTH_JWKS_FILE: cannot read ${path} as a JSON Web Key Set`);
  }
}

function withTimeout<T>(pending: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([pending.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

/** Each subgraph's /ready (breaker states per legacy system), or why it could not be asked. */
async function subgraphReadiness(urls: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(1_000) });
        return [name, await response.json()] as const;
      } catch {
        return [name, { status: 'unreachable' }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
