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
} as const;

const gatewayConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(gatewayDefaults.port),
  host: z.string().min(1).default(gatewayDefaults.host),
  supergraphPath: z.string().min(1).default(gatewayDefaults.supergraphPath),
  /** Subgraph URLs by subgraph name, overriding those in the supergraph. */
  subgraphUrls: z.record(z.string(), z.string().url()).default({}),
  /** Production: no introspection, no field suggestions. */
  production: z.boolean().default(gatewayDefaults.production),
  maxBodyBytes: z.coerce.number().int().positive().default(gatewayDefaults.maxBodyBytes),
});

export type GatewayConfig = Readonly<z.output<typeof gatewayConfigSchema>>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export { ConfigInvalid };

export function parseGatewayConfig(input: GatewayConfigInput): GatewayConfig {
  return parseConfig('gateway', gatewayConfigSchema, input);
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
  return parseGatewayConfig({
    ...(env['PORT'] ? { port: env['PORT'] as unknown as number } : {}),
    ...(env['HOST'] ? { host: env['HOST'] } : {}),
    ...(supergraphArg ?? env['SUPERGRAPH_PATH'] ? { supergraphPath: (supergraphArg ?? env['SUPERGRAPH_PATH']) as string } : {}),
    subgraphUrls,
    production: env['NODE_ENV'] === 'production',
    ...(env['MAX_BODY_BYTES'] ? { maxBodyBytes: env['MAX_BODY_BYTES'] as unknown as number } : {}),
  });
}

/**
 * No data leaves a municipality: Apollo's libraries must not phone home. Set before any Apollo
 * module does its work; the npm scripts set it too.
 */
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env['APOLLO_TELEMETRY_DISABLED'] = '1';
}
