/**
 * What the citizen resolvers hand on for each GraphQL type. A citizen is carried as its CPR number
 * only: each field loads the CPR record through the request's loader, so a citizen named by a
 * relation costs no look-up until a field of theirs is asked. `npm run codegen` makes these the
 * parent types of generated/resolvers.ts.
 */
import type { PersonRecord } from '../../adapters/cpr';

export interface CitizenParent {
  /** Ten digits. */
  cpr: string;
}

/** CPR's relations as the record has them: CPR numbers, each turned into a citizen by its field. */
export type RelationsParent = PersonRecord['relations'];
