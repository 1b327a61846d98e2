/**
 * The graph's contract: one SDL file per subgraph and the composed supergraph.
 * `npm run compose` writes supergraph.graphql from the SDLs (see scripts/compose.ts).
 */
export { defaultSubgraphUrls, subgraphNames, subgraphSdl, supergraphPath, type SubgraphName } from './subgraphs';
export { composeSupergraph, SUPERGRAPH_HEADER } from './compose';
export { cprScalar, dateScalar, formatCpr, parseCpr } from './scalars';
