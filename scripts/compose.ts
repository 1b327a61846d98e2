/** `npm run compose`: writes schema/supergraph.graphql from the subgraph SDLs. */
import { writeFileSync } from 'node:fs';
import { composeSupergraph, supergraphPath } from '../schema/index';

try {
  writeFileSync(supergraphPath, composeSupergraph());
  console.log(`wrote ${supergraphPath}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
