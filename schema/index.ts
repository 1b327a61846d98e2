/**
 * The graph's contract: one SDL file per subgraph, the list of subgraphs (subgraphs.json) and the
 * composed supergraph. `npm run compose` writes supergraph.graphql from the list (see scripts/compose.ts).
 */
export {
  apiSchemaPath,
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
export {
  API_SCHEMA_HEADER,
  composeGraph,
  composeSubgraphs,
  composeSupergraph,
  listedSubgraphs,
  SUPERGRAPH_HEADER,
  type ComposableSubgraph,
  type ComposedGraph,
} from './compose';
export { cprScalar, dateScalar, formatCpr, parseCpr } from './scalars';
