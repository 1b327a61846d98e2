/**
 * `npm run start:gateway`: the gateway alone, for deployments. Settings from the environment
 * (see gateway/config.ts): PORT, HOST, SUPERGRAPH_PATH or --supergraph FILE, SUBGRAPH_URL_<NAME>,
 * INTERNAL_TOKEN_PRIVATE_JWK (the key that signs subgraph calls; `npm run keys` makes a pair).
 */
import { loadGatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { readJwkFile } from '../runtime/keyFiles';
import { configuredAuditTrail } from '../audit';
import { runService } from './runService';

await runService(
  async () => {
    const config = loadGatewayConfig();
    if (!config.internalTokenKeyPath) throw new Error('INTERNAL_TOKEN_PRIVATE_JWK: set it to the gateway\'s private key file (`npm run keys` makes one)');
    const audit = config.audit ? await configuredAuditTrail(config.audit) : undefined;
    if (!audit) console.warn('[gateway] no access trail configured (AUDIT_DIR or AUDIT_DATABASE_URL): development only');
    return startGateway(config, {
      internalTokenKey: readJwkFile(config.internalTokenKeyPath, 'INTERNAL_TOKEN_PRIVATE_JWK'),
      ...(audit ? { audit: { trail: audit.trail, subjectKey: audit.keys.subjectKey } } : {}),
    });
  },
  (gateway) =>
    [`gateway ready at ${gateway.url}`, ...Object.entries(gateway.subgraphUrls).map(([name, url]) => `  subgraph ${name}: ${url}`)].join('\n'),
);
