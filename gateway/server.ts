/**
 * The gateway: Apollo Server over @apollo/gateway, serving a supergraph file. It meets the
 * subgraphs only over HTTP and the composed supergraph; it imports none of them.
 *
 * This file assembles the parts; the stages a request goes through, in their order, are listed
 * and wired in one place: pipeline.ts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import type { Registry } from 'prom-client';
import type { AuditTrail } from '../audit';
import { memoryReport, startGraphQLHttpServer, writeJson, type Refusal, type RunningHttpServer } from '../runtime/httpServer';
import { createInternalTokenSigner, INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../runtime/internalToken';
import { bindLogContext, logger } from '../runtime/log';
import { isLoopback, startMetricsServer, type RunningMetricsServer } from '../runtime/metrics';
import { createResponseExtensionPlugin } from '../runtime/responseExtension';
import { tenantRegistryFile } from '../runtime/tenantRegistry';
import type { RequestAccess } from './access';
import { createAuthenticator, type Identity } from './auth/authenticate';
import { DEV_ISSUER } from './auth/devIdentity';
import { createExplorer, NO_EXPLORER, type ExplorerSettings } from './explorer/page';
import { authorizingGateway, createFieldAuthorizer } from './auth/fieldAuthorization';
import { auditRoutes } from './auditApi';
import { disableApolloTelemetry, type GatewayConfig } from './config';
import { claimedOperationName, createGatewayMetrics } from './metrics';
import { createOperationReader } from './operation';
import { costLimitRule, createAdmission, pipelinePlugin, subgraphCall, type GatewayContext } from './pipeline';
import { deferredTokens, sharingFetcher } from './subgraphDedup';
import { SubgraphDataSource, type SubgraphDataSourceConfig } from './subgraphDataSource';
import { subgraphHttp } from './subgraphHttp';
import { newSpanId, newTraceId, parseTraceparent, TRACEPARENT_HEADER } from '../runtime/traceContext';
import { activeTrace, describeActiveSpan } from '../runtime/requestTrace';
import { httpRefusal } from './errors';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_RULE, idempotencyKeyOf, isIdempotencyKey } from './idempotency';
import { EMPTY_PURPOSE_CATALOGUE, readPurposeCatalogue } from './auth/purposes';
import { attributedToSubgraph, formatGatewayError } from './plugins/maskErrors';
import { createEntityPrefetcher, PrefetchingDataSource, prefetchOnPlan } from './prefetch';
import { documentHash, loadTrustedDocuments, trustedDocumentsGuard } from './plugins/trustedDocuments';
import { auditedAccess } from './recorder';
import { createRequestLog } from './requestLog';
import { liveSupergraphFile, type BuildService, type SupergraphRefused, type SupergraphVersion } from './supergraph';

export { REQUEST_BUDGET_HEADER, type GatewayContext } from './pipeline';
export type { RequestAccess } from './access';

/** A municipality as the gateway names it: in the citizen's view of the trail, and by CVR number in records. */
export interface Organisation {
  name: string;
  cvr: string;
}

export interface RunningGateway extends RunningHttpServer {
  /** The subgraph URL each service name resolved to, in the supergraph version in force. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** The supergraph in force, followed as its file changes (gateway/supergraph.ts). */
  supergraph: {
    current(): SupergraphVersion;
    /** Called when a new version is taken into force. */
    onChange(listener: (now: SupergraphVersion, before: SupergraphVersion) => void): () => void;
    /** Called when a changed file is refused (the version in force stays). */
    onRefused(listener: (error: SupergraphRefused) => void): () => void;
    /** Reads the file now, without waiting for the watcher. */
    reload(): Promise<SupergraphVersion>;
  };
  /** This gateway's series (gateway/metrics.ts), and where its metrics listener serves them: undefined without METRICS_PORT. */
  metrics: { registry: Registry; url: string | undefined };
}

export interface GatewayOptions {
  /** The private key (Ed25519 JWK) the gateway signs internal tokens for subgraph calls with. */
  internalTokenKey: JWK;
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
  /**
   * What the explorer (served outside production only) offers: sample operations as tabs, and
   * demo sign-ins, taken only when the gateway trusts the development identity provider.
   */
  explorer?: ExplorerSettings;
}


/** Adds `extensions.stale` to the client's response when any subgraph served stale registry data. */
const staleNotice = createResponseExtensionPlugin<GatewayContext>('stale', (context) =>
  context.stale.size > 0 ? [...context.stale].sort() : undefined,
);

export async function startGateway(config: GatewayConfig, givenOptions: GatewayOptions): Promise<RunningGateway> {
  disableApolloTelemetry();
  // Every line this gateway writes (runtime/log.ts); requests and subgraph calls get theirs from requestLog.ts.
  const log = logger({ service: 'gateway' });
  // First: a missing explorer file fails the start before anything is listening or watching.
  const explorer = config.production
    ? undefined
    : createExplorer({
        operations: givenOptions.explorer?.operations ?? [],
        // Demo tokens only where they are what the gateway trusts anyway (explorer/page.ts says why).
        ...(config.auth?.issuer === DEV_ISSUER && givenOptions.explorer?.demoSignIns ? { demoSignIns: givenOptions.explorer.demoSignIns } : {}),
      });
  const requestLog = createRequestLog(log);
  const tenants = config.tenantRegistryPath ? tenantRegistryFile(config.tenantRegistryPath) : undefined;
  tenants?.onRefused((error) =>
    log.error({ component: 'tenants' }, `tenant registry change refused; version ${tenants.current().version} stays in force. ${error.message}`),
  );
  /** The municipality a kommunekode names, as the registry in force says. */
  const organisation = (code: string): Organisation | undefined => {
    const m = tenants?.current().byCode.get(code);
    return m ? { name: `${m.name} Kommune`, cvr: m.cvr } : undefined;
  };
  const options: GatewayOptions = givenOptions.audit
    ? { ...givenOptions, onAccess: auditedAccess(givenOptions.audit.trail, givenOptions.audit.subjectKey, (code) => organisation(code)?.cvr ?? null) }
    : givenOptions;
  const signer: InternalTokenSigner = await createInternalTokenSigner(options.internalTokenKey);
  const trusted = config.trustedDocumentsPath ? loadTrustedDocuments(config.trustedDocumentsPath) : undefined;
  const purposes = config.purposesPath ? readPurposeCatalogue(config.purposesPath) : EMPTY_PURPOSE_CATALOGUE;
  const metrics = createGatewayMetrics({
    maxOperationNames: config.metrics.maxOperationNames,
    ...(trusted ? { trustedOperationNames: trusted.operationNames } : {}),
  });
  // Entity fetches that need only a key the query names go at once (gateway/prefetch.ts).
  const prefetcher = config.prefetchEntities ? createEntityPrefetcher() : undefined;
  // One keep-alive pool to the subgraphs, closed when the gateway stops.
  const http = subgraphHttp();
  /** Each subgraph's data source, for every supergraph version: the URL config gives it, or the supergraph's. */
  const buildService: BuildService = ({ name, url }) => {
    const target = config.subgraphUrls[name] ?? url;
    if (!target) throw new Error(`no URL for subgraph ${name}: set SUBGRAPH_URL_${name.toUpperCase()}`);
    // A read that may share signs its token only if it is the one sent (subgraphDedup.ts).
    const deferred = config.shareSubgraphFetches ? deferredTokens() : undefined;
    const hooks = subgraphCall(name, signer, authenticator !== undefined, deferred);
    const timed = metrics.timeFetches(name, http.fetcher, requestLog.fetched);
    const dataSourceConfig: SubgraphDataSourceConfig<GatewayContext> = {
      url: target,
      // Shared outside the timing: the fetch metrics count what reached the subgraph.
      fetcher: deferred ? sharingFetcher(timed, deferred, INTERNAL_TOKEN_HEADER).fetcher : timed,
      willSendRequest: ({ request, context }) => hooks.willSendRequest({ request, context: context as GatewayContext }),
      didReceiveResponse: ({ response, context }) => hooks.didReceiveResponse({ response, context: context as GatewayContext }),
      // A failure to reach the subgraph carries its name, for the log and for the client.
      didEncounterError: (error) => {
        throw attributedToSubgraph(name, error);
      },
    };
    const dataSource = prefetcher ? new PrefetchingDataSource<GatewayContext>(name, prefetcher, dataSourceConfig) : new SubgraphDataSource<GatewayContext>(dataSourceConfig);
    return { dataSource, url: target };
  };
  const authenticator = config.auth
    ? createAuthenticator({ issuer: config.auth.issuer, audience: config.auth.audience, algorithms: [...config.auth.algorithms], jwks: readJwks(config.auth.jwksPath) })
    : undefined;
  // The supergraph, validated and loaded, and followed: a changed file is taken into force or refused.
  const supergraph = await liveSupergraphFile(config.supergraphPath, buildService, { leanExecutor: config.leanPlanExecutor, ...(prefetcher ? { onPlan: prefetchOnPlan(prefetcher) } : {}) }).catch(async (error: unknown) => {
    await http.close();
    throw new Error(`the supergraph ${config.supergraphPath} cannot be served: ${(error as Error).message}`);
  });
  supergraph.onChange((now, before) =>
    log.info({ component: 'supergraph' }, `supergraph version ${now.version} in force (was ${before.version}), from ${config.supergraphPath}: subgraphs ${Object.keys(now.subgraphUrls).join(', ')}`),
  );
  supergraph.onRefused((error) =>
    log.error({ component: 'supergraph' }, `supergraph change refused; version ${supergraph.current().version} stays in force. ${config.supergraphPath}: ${error.message}`),
  );
  // Each request is read against the policy of the schema it was validated with (its supergraph version).
  const reader = createOperationReader({ policyOf: supergraph.policyOf, maxCost: config.limits.maxCost });
  const authorize = createFieldAuthorizer();
  if (!authenticator) log.warn('authentication is off (development): anyone may ask for personal data');
  const admission = createAdmission({ authenticator, rateLimit: config.rateLimit, metrics });
  const identities = new WeakMap<IncomingMessage, Identity | null>();
  const trustedGuard = trusted ? trustedDocumentsGuard(trusted.hashes) : undefined;
  // Stages 1–4 (the body limit is the HTTP server's own).
  const guard = async (req: IncomingMessage, query: string | undefined): Promise<Refusal | undefined> => {
    const refused = trustedGuard?.(query);
    if (refused) return refused;
    const key = req.headers[IDEMPOTENCY_KEY_HEADER];
    if (key !== undefined && !isIdempotencyKey(key)) return httpRefusal('BAD_REQUEST', IDEMPOTENCY_KEY_RULE);
    const admitted = await admission.admit(req);
    if ('refusal' in admitted) return admitted.refusal;
    identities.set(req, admitted.identity);
    return undefined;
  };
  // Stage 11: the operation is planned and run, on its supergraph version, with the refused fields taken out, as decided.
  const gateway = authorizingGateway(supergraph.gateway, (requestContext) => (requestContext.context as GatewayContext).decision?.authorized);

  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth },
    maxAliases: { n: config.limits.maxAliases },
    // Tokens are counted by graphql-js's own parser (parseOptions below): armor's plugin reports
    // every syntax error as a 500 validation failure instead of a 400 parse failure.
    maxTokens: { enabled: false },
    maxDirectives: { n: config.limits.maxDirectives },
    // Cost is the operation reader's (operation.ts): armor's weighs depth, not the sizes of nested lists.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.production },
  }).protect();

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // The process has one owner of its signals (runtime/shutdown.ts), which calls close below.
    stopOnTerminationSignals: false,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [...armor.validationRules, costLimitRule(reader, config.limits.maxCost)],
    plugins: [
      // Apollo's own landing page is Apollo Sandbox, loaded from Apollo's CDN and reporting to
      // Apollo: never served. Browsers get the gateway's explorer (explorer/), or nothing in production.
      ApolloServerPluginLandingPageDisabled(),
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      pipelinePlugin({
        reader,
        authorize,
        authenticating: authenticator !== undefined,
        ...(tenants ? { serves: (code: string) => tenants.current().byCode.has(code) } : {}),
        usesOf: purposes.usesOf,
        ...(options.onAccess ? { record: options.onAccess } : {}),
        metrics,
        requestLog,
        log,
      }),
      staleNotice,
    ],
    formatError: (formatted, error) => formatGatewayError(formatted, error, log),
  });
  await apollo.start();

  let draining = false;
  const running = await startGraphQLHttpServer<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    guard,
    tracedAs: 'gateway',
    browserPage: explorer?.page ?? NO_EXPLORER,
    // Refused before Apollo (body, trusted documents, authentication, rate limits): counted and logged like any answer.
    onRefused: (refused) => {
      const answered = { operationName: claimedOperationName(refused.request), executed: false, status: refused.status, errorCodes: [refused.code], seconds: refused.seconds };
      metrics.answered(answered);
      const query = refused.request?.query;
      requestLog.answered({
        ...answered,
        requestId: undefined,
        traceId: activeTrace()?.traceId ?? parseTraceparent(refused.req.headers[TRACEPARENT_HEADER])?.traceId ?? newTraceId(),
        tenant: null,
        role: null,
        documentHash: query ? documentHash(query) : null,
      });
    },
    context: async (req, _request, arrivedAt) => {
      const requestId = randomUUID();
      // The client's trace, or a new one; the gateway's own span in it is this request. Exported
      // traces have that span already (runtime/requestTrace.ts): its ids are the request's.
      const traced = activeTrace();
      const trace = traced ?? parseTraceparent(req.headers[TRACEPARENT_HEADER]);
      const traceId = trace?.traceId ?? newTraceId();
      const spanId = traced?.spanId ?? newSpanId();
      if (traced) describeActiveSpan({ 'kommunegraph.request_id': requestId });
      // Every line written while the request is served carries its ids (runtime/log.ts).
      bindLogContext({ requestId, traceId });
      return {
        requestId,
        traceId,
        spanId,
        traceSampled: trace?.sampled ?? true,
        identity: identities.get(req) ?? null,
        startedAt: new Date(),
        arrivedAt,
        deadlineAt: Date.now() + config.requestBudgetMs,
        stale: new Set<string>(),
        intent: null,
        idempotencyKey: idempotencyKeyOf(req),
        reported: new Map(),
      };
    },
    routes: {
      ...explorer?.routes,
      ...(options.audit && authenticator
        ? auditRoutes({ ...options.audit, admission, record: options.onAccess!, organisation })
        : {}),
      '/health': (req, res) => writeJson(res, 200, { status: 'ok', memory: memoryReport(req.url?.includes('gc=1') ?? false) }),
      // Ready means: take traffic. A subgraph or the access trail being down degrades the answers
      // (partial data; no personal data) but every gateway instance would see the same, so it is
      // reported, not a reason to leave the load balancer; draining is.
      '/ready': async (_req, res) => {
        if (draining) return writeJson(res, 503, { status: 'draining' });
        const [subgraphs, audit] = await Promise.all([
          subgraphReadiness(supergraph.current().subgraphUrls),
          options.audit ? withTimeout(options.audit.trail.reachable(), 1_000, false).then((up) => (up ? 'reachable' : 'unreachable')) : Promise.resolve('none'),
        ]);
        const degraded = audit === 'unreachable' || Object.values(subgraphs).some((s) => (s as { status?: string }).status !== 'ready');
        writeJson(res, 200, { status: degraded ? 'degraded' : 'ready', supergraph: 'loaded', supergraphVersion: supergraph.current().version, audit, subgraphs });
      },
    },
  });
  const detachTrail = options.audit ? metrics.observeTrail(options.audit.trail) : undefined;
  // Metrics on a listener of their own, only when asked for (runtime/metrics.ts says why).
  let metricsServer: RunningMetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    try {
      metricsServer = await startMetricsServer({ port: config.metrics.port, host: config.metrics.host }, [metrics.registry]);
    } catch (error) {
      await running.close();
      await supergraph.close();
      await http.close();
      tenants?.close();
      detachTrail?.();
      throw new Error(`METRICS_PORT: the metrics listener cannot listen on ${config.metrics.host}:${config.metrics.port}: ${(error as Error).message}`);
    }
    if (!isLoopback(config.metrics.host)) {
      log.warn(`the metrics listener is bound to METRICS_HOST=${config.metrics.host}, beyond loopback, port ${new URL(metricsServer.url).port}, without authentication: let only Prometheus reach that port`);
    }
  }
  // Once: a signal's shutdown and a caller's own close share one drain.
  let closing: Promise<void> | undefined;
  const drain = async () => {
    // Say "draining" on /ready first, so a load balancer stops sending work, then finish what is in flight.
    draining = true;
    if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    await running.close();
    await supergraph.close();
    await http.close();
    tenants?.close();
    // Scraped to the end: the drain itself shows in the series.
    detachTrail?.();
    await metricsServer?.close();
  };
  return {
    ...running,
    get subgraphUrls() {
      return supergraph.current().subgraphUrls;
    },
    supergraph: {
      current: () => supergraph.current(),
      onChange: (listener) => supergraph.onChange(listener),
      onRefused: (listener) => supergraph.onRefused(listener),
      reload: () => supergraph.reload(),
    },
    metrics: { registry: metrics.registry, url: metricsServer?.url },
    close: () => (closing ??= drain()),
  };
}

/** The trace id of a W3C traceparent header (version 00), or a new one. */

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
