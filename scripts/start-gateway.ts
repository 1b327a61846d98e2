/**
 * `npm run start:gateway`: the gateway alone, for deployments. Settings from the environment
 * (see gateway/config.ts): PORT, HOST, SUPERGRAPH_PATH or --supergraph FILE, SUBGRAPH_URL_<NAME>.
 */
import { loadGatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';

try {
  const gateway = await startGateway(loadGatewayConfig());
  console.log(`gateway ready at ${gateway.url}`);
  for (const [name, url] of Object.entries(gateway.subgraphUrls)) console.log(`  subgraph ${name}: ${url}`);
  const stop = async () => {
    await gateway.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
