/**
 * `npm run start:subgraph -- NAME`: one subgraph the list names (subgraphs.json, or the file
 * SUBGRAPHS_CONFIG names), for deployments. Legacy system locations come from the JSON file
 * LEGACY_CONFIG names (config/legacy.example.json);
 * PORT and HOST set where it listens (defaults: the port in its listed URL, 127.0.0.1);
 * INTERNAL_TOKEN_PUBLIC_JWK names the gateway's public key, without which no call is accepted;
 * INTERNAL_TOKEN_REPLAY_STORE where used tokens are remembered (`redis://host:port`, shared by
 * the replicas of a subgraph; default this process's memory);
 * SHUTDOWN_DELAY_MS how long /ready says "draining" on SIGTERM before it stops accepting.
 * SIGINT or SIGTERM (or npm, its parent, gone) stops it, the requests in flight finished: runtime/shutdown.ts.
 */
import { loadSubgraphList, type SubgraphList } from '../schema/subgraphs';
import { loadLegacyConfig } from '../subgraphs/shared/config';
import { createInternalTokenVerifier } from '../runtime/internalToken';
import { replayStoreFrom } from '../runtime/replayStore';
import { readJwkFile } from '../runtime/keyFiles';
import { DEFAULT_GRACE_MS, serveUntilStopped } from '../runtime/shutdown';
import { startListedSubgraph } from './startListed';

let list: SubgraphList;
try {
  list = loadSubgraphList(process.env['SUBGRAPHS_CONFIG'] || undefined);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const name = process.argv[2];
const entry = name ? list.byName(name) : undefined;
if (!entry) {
  if (name) console.error(`no subgraph named ${name} in ${list.path}`);
  console.error(`usage: npm run start:subgraph -- <${list.names.join('|')}>`);
  process.exit(2);
}
const shutdownDelayMs = Number(process.env['SHUTDOWN_DELAY_MS'] ?? 0) || 0;
await serveUntilStopped(
  `subgraph ${entry.name}`,
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
    return startListedSubgraph(entry, loadLegacyConfig(), {
      internalTokens: await createInternalTokenVerifier(publicJwk, { subgraph: entry.name, replay }),
      port: Number(process.env['PORT'] ?? new URL(entry.url).port),
      host: process.env['HOST'] ?? '127.0.0.1',
      shutdownDelayMs,
    });
  },
  (subgraph) => `subgraph ${entry.name} ready at ${subgraph.url}`,
  { graceMs: DEFAULT_GRACE_MS + shutdownDelayMs },
);
