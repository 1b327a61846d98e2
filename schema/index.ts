/**
 * The graph's contract: one SDL file per subgraph, the list of subgraphs (subgraphs.json) and the
 * composed supergraph. `npm run compose` writes supergraph.graphql from the list (see scripts/compose.ts).
 */
export {
  loadSubgraphList,
  readSubgraphSdl,
  subgraphListPath,
  SubgraphListInvalid,
  subgraphSdl,
  supergraphPath,
  supergraphSubgraphs,
  unlistedSdlFiles,
  withAccessDefinition,
  type SubgraphEntry,
  type SubgraphList,
  type SubgraphName,
} from './subgraphs';
export { composeSubgraphs, composeSupergraph, listedSubgraphs, SUPERGRAPH_HEADER, type ComposableSubgraph } from './compose';
export { cprScalar, dateScalar, formatCpr, parseCpr } from './scalars';
