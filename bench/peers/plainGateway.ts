/**
 * The peer "plain @apollo/gateway": `node dist/bench/plainGateway.mjs SUPERGRAPH PORT` (bench:peers bundles it as it bundles ours), or `node --import tsx bench/peers/plainGateway.ts SUPERGRAPH PORT`.
 *
 * @apollo/gateway with a static supergraph and @apollo/server's standalone HTTP server, every
 * option at its default (the project's own copies of both, so the versions are ours: 2.14 and 5).
 * No in-flight de-duplication exists to turn off. Prints `ready URL` when listening.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [supergraphPath, portArg] = process.argv.slice(2);
if (!supergraphPath || !portArg) {
  console.error('usage: plainGateway.ts SUPERGRAPH PORT');
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(portArg), host: '127.0.0.1' } });
console.log(`ready ${url}`);
