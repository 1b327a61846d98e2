/** A case as the national case index (SF1470) describes it; the owning ESDH holds the rest. */
export interface CaseIndexEntry {
  /** Sag UUID */
  id: string;
  /** sagsnummer, the number the owning system gives the case */
  number: string;
  title: string | null;
  /** FremdriftStatusKode currently in force */
  status: CaseProgress | null;
  /** When the case arose (Fremdrift Opstaaet, from) as an ISO date */
  openedAt: string | null;
  /** KLE subject (Sagsklasse, Primær klasse) */
  classification: { number: string; title: string | null } | null;
  /** si:Foelsomhed */
  sensitivity: string | null;
  /** Sagsaktoer Ansvarlig (an organisation unit) */
  responsibleUnit: string | null;
  /** Sagsaktoer Ejer: the owning authority's CVR number */
  ownerCvr: string | null;
  /** si:SagsitsystemRelation Master: the system that holds the case */
  sourceSystem: string | null;
  parties: { cpr: string; role: PartyRole }[];
  /** Journalposts: the documents filed on the case */
  documents: { id: string; title: string | null; filedAt: string | null }[];
  /**
   * Sagsgenstande: the UUIDs (lower case) of the things the case is about, such as a DAR address
   * or a BBR building. Only an answer that shows them has them: the search by case object asks
   * for them, the other searches do not, so an entry without them says nothing about its objects.
   */
  caseObjects?: string[];
}

/** sag:FremdriftStatusKode values that describe a case's progress. */
export type CaseProgress = 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Bestilt' | 'Udfoert' | 'Afsluttet';
export type PartyRole = 'PRIMARY' | 'SECONDARY' | 'OTHER';

/**
 * What a case search asks for (SF1470 fremsoeg, sdi:SoegUdtryk); every criterion given must hold.
 * The asking municipality is not a criterion: it is the call's AuthorityContext.
 */
export interface CaseCriteria {
  /** A party (Sagspart) by CPR number, ten digits. */
  partyCpr?: string;
  /** Where the case stands now (FremdriftStatusKode): any of these. */
  statuses?: readonly CaseProgress[];
  /** A KLE subject number (emnenummer, NN.NN.NN): the case's Sagsklasse. */
  classification?: string;
  /** The case arose (Fremdrift Opstaaet began) on or after this ISO date. */
  openedFrom?: string;
  /** The case arose on or before this ISO date. */
  openedTo?: string;
}

/** Which slice of the matches to answer: FoersteResultatReference and MaksimalAntalKvantitet. */
export interface CasePageRequest {
  /** How many matches to skip (0 for the first page). */
  offset: number;
  /** The most matches to answer. */
  limit: number;
}

/** One page of a case search, in the order the search asked for. */
export interface CaseSearchPage {
  entries: CaseIndexEntry[];
  /** sdi:Antal for `sager`: how many cases match in all, when the index says. */
  total: number | null;
}
