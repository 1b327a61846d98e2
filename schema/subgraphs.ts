/** The subgraphs of the graph, their SDL files and default URLs. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const subgraphNames = ['citizen', 'case', 'property'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** Default subgraph URLs written into the supergraph; deployments override them in config. */
export const defaultSubgraphUrls: Readonly<Record<SubgraphName, string>> = {
  citizen: 'http://localhost:4001/graphql',
  case: 'http://localhost:4002/graphql',
  property: 'http://localhost:4003/graphql',
};

/**
 * A subgraph's SDL: its own file, and the definition of `@access` (schema/access.graphql) that
 * every subgraph shares and composes into the supergraph.
 */
export function subgraphSdl(name: SubgraphName): string {
  const read = (file: string) => readFileSync(new URL(`./${file}.graphql`, import.meta.url), 'utf8');
  return `${read(name)}\n${read('access')}`;
}

export const supergraphPath: string = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

