/**
 * The supergraph the gateway serves, live: read from its file at start, and read again whenever
 * the file changes, so a new subgraph (or a new version of one) goes live without a restart.
 *
 * A new file is taken into force only whole and only once it has passed what serving it needs:
 * it parses, its `@access` rules read (schema/accessPolicy.ts), and it loads in @apollo/gateway
 * (composition metadata, query planner, a URL for every subgraph). A file that fails any of these
 * is refused with the reason, and the version in force stays.
 *
 * Each version is served by its own @apollo/gateway instance, and a request runs wholly on the
 * version it was validated against: Apollo Server hands the executor the API schema the request
 * was parsed, validated and decided with (`requestContext.schema`), and that schema names its
 * version here. One gateway instance taking updates (its `supergraphSdl` function's `update`
 * callback) would not do: its executor reads the schema, the planner and the subgraph map at
 * different moments around an await, so a request validated against the old schema could be
 * planned by the new planner, and a plan made by the old planner could be cached after the update
 * cleared the cache, for the new schema. Here requests in flight finish on the old version, and
 * the access policy, the operation readings and the authorization decisions, all kept per schema,
 * follow the version too: no decision made against one version is applied to another.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { parse, type GraphQLSchema } from 'graphql';
import { watchFolder } from '../runtime/watchFolder';
import { readAccessPolicy, type AccessPolicy } from '../schema/accessPolicy';
import { planExecutor } from './planExecutor';

type GatewayInterface = ApolloServerOptionsWithGateway<never>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type SchemaListener = Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0];

/** A supergraph refused: it cannot be served, and why (no file, no parse, bad access rules, no load). */
export class SupergraphRefused extends Error {
  override readonly name = 'SupergraphRefused';
  readonly code = 'SUPERGRAPH_REFUSED' as const;
}

/**
 * Told of each query plan as it is about to run, with the data sources it runs on and the
 * request's context (gateway/prefetch.ts starts early fetches here). Called synchronously by
 * @apollo/gateway; what it starts must not throw into the request.
 */
export type PlanListener = NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>['experimental_didResolveQueryPlan'];

/** Builds the data source of one subgraph (its name, the URL the supergraph gives it); throws when it has no URL. */
export type BuildService = (subgraph: { name: string; url: string | undefined }) => { dataSource: GraphQLDataSource; url: string };

/** One version of the supergraph, loaded and ready to serve. */
export interface SupergraphVersion {
  /** 1 at start, one more for every change taken into force. */
  readonly version: number;
  readonly sdl: string;
  /** The API schema (no join__ or link metadata) Apollo Server validates requests against. */
  readonly schema: GraphQLSchema;
  /** The `@access` rules this version declares. */
  readonly policy: AccessPolicy;
  /** The URL each subgraph of this version is called at. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly executor: GatewayExecutor;
  readonly loadedAt: Date;
  stop(): Promise<void>;
}

/**
 * A supergraph SDL loaded as the gateway serves it, or SupergraphRefused with the reason. Used
 * for every version the gateway takes, and by `npm run check-subgraph` to try a candidate.
 */
export async function loadSupergraph(sdl: string, buildService: BuildService, version = 1, onPlan?: PlanListener, lean = true): Promise<SupergraphVersion> {
  try {
    parse(sdl);
  } catch (error) {
    throw new SupergraphRefused(`it is not GraphQL SDL: ${(error as Error).message}`);
  }
  let policy: AccessPolicy;
  try {
    policy = readAccessPolicy(sdl);
  } catch (error) {
    throw new SupergraphRefused(`its access rules are invalid: ${(error as Error).message}`);
  }
  const subgraphUrls: Record<string, string> = {};
  const gateway = new ApolloGateway({
    supergraphSdl: sdl,
    buildService: ({ name, url }) => {
      const built = buildService({ name, url });
      subgraphUrls[name] = built.url;
      return built.dataSource;
    },
    ...(onPlan ? { experimental_didResolveQueryPlan: onPlan } : {}),
  });
  let loaded: Awaited<ReturnType<ApolloGateway['load']>>;
  try {
    loaded = await gateway.load();
  } catch (error) {
    await gateway.stop().catch(() => undefined);
    throw new SupergraphRefused(`@apollo/gateway cannot load it: ${(error as Error).message}`);
  }
  return Object.freeze({
    version,
    sdl,
    schema: loaded.schema,
    policy,
    subgraphUrls: Object.freeze(subgraphUrls),
    // Planned by @apollo/gateway; run by the gateway's own executor unless told otherwise (planExecutor.ts says why).
    executor: (lean ? planExecutor(gateway, loaded.executor!, onPlan) : loaded.executor) as GatewayExecutor,
    loadedAt: new Date(),
    stop: () => gateway.stop(),
  });
}

export interface LiveSupergraphOptions {
  /** Read the file again when it changes. @default true */
  watch?: boolean;
  /** Changes within this long are read once. @default 100 (milliseconds) */
  debounceMs?: number;
  /** Told of every plan about to run, on every version. */
  onPlan?: PlanListener;
  /** Plans run by gateway/planExecutor.ts; false: by @apollo/gateway's executor. @default true */
  leanExecutor?: boolean;
}

/** The supergraph in force and its changes; `gateway` is what Apollo Server is given. */
export interface LiveSupergraph {
  /** For Apollo Server: loads (announces) the version in force, executes each request on its own version. */
  readonly gateway: GatewayInterface;
  current(): SupergraphVersion;
  /** The access policy of the version a schema belongs to (each request's, by the schema it was validated with). */
  policyOf(schema: GraphQLSchema): AccessPolicy;
  /** Called when a change is taken into force. */
  onChange(listener: (now: SupergraphVersion, before: SupergraphVersion) => void): () => void;
  /** Called when a change is refused; the version in force stays. */
  onRefused(listener: (error: SupergraphRefused) => void): () => void;
  /** Reads the file now: the version in force afterwards, or SupergraphRefused (told to onRefused too). */
  reload(): Promise<SupergraphVersion>;
  close(): Promise<void>;
}

/**
 * The supergraph in a file, loaded now (SupergraphRefused when it cannot be served at start) and
 * followed: the folder is watched, not the file, so a file replaced by a rename (`npm run compose`
 * writes that way) is followed too; an unchanged text is no new version.
 */
export async function liveSupergraphFile(path: string, buildService: BuildService, options: LiveSupergraphOptions = {}): Promise<LiveSupergraph> {
  const read = (): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new SupergraphRefused(`cannot read the supergraph file ${path}`);
    }
  };
  let current = await loadSupergraph(read(), buildService, 1, options.onPlan, options.leanExecutor ?? true);
  // Versions by their API schema: how a request's executor finds the version it was validated against.
  const versions = new WeakMap<GraphQLSchema, SupergraphVersion>([[current.schema, current]]);
  const schemaListeners = new Set<SchemaListener>();
  const changed = new Set<(now: SupergraphVersion, before: SupergraphVersion) => void>();
  const refused = new Set<(error: SupergraphRefused) => void>();
  let closed = false;

  // One reading at a time, in the order the changes came.
  let queue: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<SupergraphVersion> => {
    const next = queue.then(async () => {
      let sdl: string;
      let loaded: SupergraphVersion;
      try {
        sdl = read();
        if (sdl === current.sdl || closed) return current;
        loaded = await loadSupergraph(sdl, buildService, current.version + 1, options.onPlan, options.leanExecutor ?? true);
      } catch (error) {
        const refusal = error instanceof SupergraphRefused ? error : new SupergraphRefused((error as Error).message);
        for (const listener of refused) listener(refusal);
        throw refusal;
      }
      if (closed) {
        await loaded.stop();
        return current;
      }
      const before = current;
      versions.set(loaded.schema, loaded);
      current = loaded;
      // Apollo Server takes the new schema for requests that start from now on; those under way
      // keep theirs, and with it their version (see the executor below).
      for (const listener of schemaListeners) listener({ apiSchema: loaded.schema, coreSupergraphSdl: loaded.sdl });
      for (const listener of changed) listener(loaded, before);
      // Stopping an @apollo/gateway over a fixed supergraph only marks it stopped: its executor
      // still finishes the requests of its version that are under way.
      await before.stop().catch(() => undefined);
      return loaded;
    });
    queue = next.catch(() => undefined);
    return next;
  };

  // A refusal reaches the onRefused listeners; the version in force stays.
  const watcher = (options.watch ?? true) ? watchFolder(dirname(path), (name) => name === basename(path), () => void reload().catch(() => undefined), options.debounceMs ?? 100) : undefined;

  const executor: GatewayExecutor = (requestContext) => {
    // The version the request was validated and decided against; the one in force if Apollo
    // hands a schema this gateway never made (it does not).
    const version = versions.get(requestContext.schema) ?? current;
    return version.executor(requestContext);
  };

  return {
    gateway: {
      load: async () => {
        // Apollo Server listens before it loads, and learns the schema from this announcement.
        for (const listener of schemaListeners) listener({ apiSchema: current.schema, coreSupergraphSdl: current.sdl });
        return { schema: current.schema, executor };
      },
      onSchemaLoadOrUpdate: (listener) => {
        schemaListeners.add(listener);
        return () => schemaListeners.delete(listener);
      },
      stop: async () => {
        closed = true;
        watcher?.close();
        await current.stop().catch(() => undefined);
      },
    },
    current: () => current,
    policyOf: (schema) => {
      const version = versions.get(schema);
      if (!version) throw new Error('a schema the gateway did not load: no access policy for it');
      return version.policy;
    },
    onChange: (listener) => {
      changed.add(listener);
      return () => changed.delete(listener);
    },
    onRefused: (listener) => {
      refused.add(listener);
      return () => refused.delete(listener);
    },
    reload,
    close: async () => {
      closed = true;
      watcher?.close();
    },
  };
}
