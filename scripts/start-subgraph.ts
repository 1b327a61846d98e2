/**
 * `npm run start:subgraph -- <citizen|case|property>`: one subgraph, for deployments. Legacy
 * system locations come from the JSON file LEGACY_CONFIG names (config/legacy.example.json);
 * PORT and HOST set where it listens (defaults: the port in its default URL, 127.0.0.1);
 * INTERNAL_TOKEN_PUBLIC_JWK names the gateway's public key, without which no call is accepted;
 * INTERNAL_TOKEN_REPLAY_STORE where used tokens are remembered (`redis://host:port`, shared by
 * the replicas of a subgraph; default this process's memory);
 * SHUTDOWN_DELAY_MS how long /ready says "draining" on SIGTERM before it stops accepting.
 * SIGINT or SIGTERM (or npm, its parent, gone) stops it, the requests in flight finished: runtime/shutdown.ts.
 */
import { defaultSubgraphUrls, subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { loadLegacyConfig } from '../subgraphs/shared/config';
import { startCitizenSubgraph } from '../subgraphs/citizen';
import { startCaseSubgraph } from '../subgraphs/case';
import { startPropertySubgraph } from '../subgraphs/property';
import { createInternalTokenVerifier } from '../runtime/internalToken';
import { replayStoreFrom } from '../runtime/replayStore';
import { readJwkFile } from '../runtime/keyFiles';
import { DEFAULT_GRACE_MS, serveUntilStopped } from '../runtime/shutdown';

const name = process.argv[2] as SubgraphName | undefined;
if (!name || !subgraphNames.includes(name)) {
  console.error(`usage: npm run start:subgraph -- <${subgraphNames.join('|')}>`);
  process.exit(2);
}
const start = { citizen: startCitizenSubgraph, case: startCaseSubgraph, property: startPropertySubgraph }[name];
const shutdownDelayMs = Number(process.env['SHUTDOWN_DELAY_MS'] ?? 0) || 0;
await serveUntilStopped(
  `subgraph ${name}`,
  async () => {
    const keyPath = process.env['INTERNAL_TOKEN_PUBLIC_JWK'];
    if (!keyPath) throw new Error('INTERNAL_TOKEN_PUBLIC_JWK: set it to the gateway\'s public key file (`npm run keys` makes one)');
    const publicJwk = readJwkFile(keyPath, 'INTERNAL_TOKEN_PUBLIC_JWK');
    let replay;
    try {
      replay = replayStoreFrom(process.env['INTERNAL_TOKEN_REPLAY_STORE']);
    } catch (error) {
      throw new Error(`INTERNAL_TOKEN_REPLAY_STORE: ${(error as Error).message}`);
    }
    return start(loadLegacyConfig(), {
      internalTokens: await createInternalTokenVerifier(publicJwk, { subgraph: name, replay }),
      port: Number(process.env['PORT'] ?? new URL(defaultSubgraphUrls[name]).port),
      host: process.env['HOST'] ?? '127.0.0.1',
      shutdownDelayMs,
    });
  },
  (subgraph) => `subgraph ${name} ready at ${subgraph.url}`,
  { graceMs: DEFAULT_GRACE_MS + shutdownDelayMs },
);
