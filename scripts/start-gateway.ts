/**
 * `npm run start:gateway`: the gateway alone, for deployments. Settings from the environment
 * (see gateway/config.ts): PORT, HOST, SUPERGRAPH_PATH or --supergraph FILE, SUBGRAPH_URL_<NAME>.
 */
import { loadGatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { runService } from './runService';

await runService(
  () => startGateway(loadGatewayConfig()),
  (gateway) =>
    [`gateway ready at ${gateway.url}`, ...Object.entries(gateway.subgraphUrls).map(([name, url]) => `  subgraph ${name}: ${url}`)].join('\n'),
);
