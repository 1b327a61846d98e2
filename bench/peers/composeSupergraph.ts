/**
 * The one supergraph every gateway of a run serves: the four benchmark subgraphs composed with
 * @apollo/composition (the project's own copy), each at the URL its process listens on.
 */
import { composeServices } from '@apollo/composition';
import { SUBGRAPH_NAMES, SUBGRAPHS, type SubgraphName } from './subgraphs';

export function composeSupergraph(urls: Readonly<Record<SubgraphName, string>>): string {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, typeDefs: SUBGRAPHS[name].typeDefs, url: urls[name] })));
  if (result.errors) throw new Error(`the benchmark subgraphs do not compose: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
