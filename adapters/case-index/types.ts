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
}

/** sag:FremdriftStatusKode values that describe a case's progress. */
export type CaseProgress = 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Bestilt' | 'Udfoert' | 'Afsluttet';
export type PartyRole = 'PRIMARY' | 'SECONDARY' | 'OTHER';
