/**
 * What the case resolvers hand on for each GraphQL type. A case is the index's entry (SF1470) with
 * the owning municipality worked out, and a document carries its case's parties: every field read
 * of either is an access to the parties' data, so the parties must travel with it. `npm run
 * codegen` makes these the parent types of generated/resolvers.ts.
 */
import type { CaseIndexEntry } from '../../adapters/case-index';

/** A citizen as a reference: the CPR number (ten digits); the citizen subgraph resolves the rest. */
export interface CitizenParent {
  cpr: string;
}

/** A case as this subgraph carries it between resolvers. */
export interface CaseParent extends CaseIndexEntry {
  municipalityCode: string | null;
}

export interface DocumentParent {
  id: string;
  /** CPR numbers of the parties of the document's case: whose data reading it touches. */
  parties: readonly string[];
  title: string | null;
  date: string | null;
  caseNumber: string | null;
  municipalityCode: string | null;
  sourceSystem: string | null;
}
