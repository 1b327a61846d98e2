/**
 * What the property resolvers hand on for each GraphQL type: the registers' own records, so a
 * field like Address.building can reach the BBR key (accessAddressId) that the GraphQL Address
 * does not show. `npm run codegen` makes these the parent types of generated/resolvers.ts.
 */
import type { BuildingRecord, InstallationRecord, UnitRecord } from '../../adapters/bbr';
import type { AddressRecord, CprAddressKey } from '../../adapters/dar';

/** A citizen as the gateway represents it here: the CPR number and, @required, CPR's address key. */
export interface CitizenParent {
  cpr: string;
  /**
   * CPR's key as the citizen subgraph sends it, or the code of CPR's failure to give it. Its fields
   * are nullable on the wire; the citizen subgraph fills all of them when `failure` is null.
   */
  registeredAddress?: { [K in keyof CprAddressKey]?: CprAddressKey[K] | null } & { failure?: string | null } | null;
}

/** Where a citizen lives is worked out from the citizen, field by field, so only the citizen is carried. */
export interface ResidenceParent {
  citizen: CitizenParent;
}

export type AddressParent = AddressRecord;
export type BuildingParent = BuildingRecord;
export type UnitParent = UnitRecord;
export type TechnicalInstallationParent = InstallationRecord;
