/**
 * The case-system contract: what the case subgraph needs of a municipality's own
 * case-and-document system (ESDH), whoever the vendor. One implementation per vendor, chosen per
 * municipality in the tenant registry (`vendors.ts`).
 *
 * Identity: the graph's Case and Document ids are the national case index's (SF1470), and its
 * case numbers (sagsnummer) are what the index shows, which is what the owning ESDH fed it. So a
 * case system is asked for cases by that number, and answers with the ids the index knows: a
 * vendor whose own ids are not the index's maps them (as Acadre's integer ids are, in
 * `acadreIndexIdentity.ts`).
 */

/** A document as the owning case-and-document system (ESDH) describes it. */
export interface DocumentRecord {
  /** The document's id (UUID) as the case index shows it: the graph's Document.id. */
  id: string;
  /** The number (sagsnummer) of the case it is filed on, as the index shows it. */
  caseNumber: string | null;
  title: string | null;
  /** ISO date of the document */
  date: string | null;
  kind: DocumentKind;
  /** MIME type of the main file */
  format: string | null;
}

export type DocumentKind = 'INCOMING' | 'OUTGOING' | 'NOTE' | 'OTHER';

/** A case as the owning ESDH describes it. */
export interface EsdhCaseRecord {
  /** The case's id (UUID) as the case index shows it: the graph's Case.id. */
  id: string;
  /** sagsnummer, as the ESDH writes it (and so as the index shows it). */
  number: string;
  title: string | null;
  status: string | null;
  responsibleUnit: string | null;
  openedAt: string | null;
  /** The KLE subject; its title null where the ESDH keeps only the number (KLE gives it). */
  classification: { number: string; title: string | null } | null;
}

export interface CaseSystemCallOptions {
  signal?: AbortSignal;
  /**
   * On a write: the key under which the case system makes it once, however often it is sent
   * (a replay answers as the first did). Only for a system that says `idempotentWrites`.
   */
  idempotencyKey?: string;
}

/** One municipality's case-and-document system. */
export interface CaseSystem {
  /** Municipality code this system serves. */
  readonly municipalityCode: string;
  /** Whether a write sent again under its idempotency key is made once (the system keeps the keys). */
  readonly idempotentWrites?: boolean;
  /** The case with this sagsnummer. Throws NotFound. */
  caseByNumber(number: string, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
  /** The documents filed on a case. Throws NotFound when the case is unknown. */
  documentsOfCase(number: string, options?: CaseSystemCallOptions): Promise<DocumentRecord[]>;
  /** One document's metadata, by its id in the case index. Throws NotFound. */
  document(id: string, options?: CaseSystemCallOptions): Promise<DocumentRecord>;
  /** Opens a case (opret sag). A write: never retried. */
  openCase(input: NewCaseInput, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
  /** Files (journalizes) a document on a case. A write: never retried. Throws NotFound for an unknown case. */
  fileDocument(caseNumber: string, input: NewDocumentInput, options?: CaseSystemCallOptions): Promise<DocumentRecord>;
  /** Moves a case to another status (FremdriftStatusKode). A write: never retried. Throws NotFound for an unknown case. */
  changeStatus(caseNumber: string, status: EsdhCaseStatus, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
  /**
   * A page of the papers the system marks public (meeting papers, decisions in matters of no
   * citizen), newest first, in an order that is the same on every call: `offset` papers skipped,
   * at most `limit` answered. Optional: a system whose contract cannot list its public papers
   * (Acadre v7, see acadre.ts) leaves it out, and the graph says the municipality does not publish.
   * Each record keeps the system's own marking (`published`); the caller shows only those marked.
   */
  publicDocuments?(page: { offset: number; limit: number }, options?: CaseSystemCallOptions): Promise<PublicDocumentPage>;
}

/** What kind of public paper. */
export type PublicDocumentKind = 'AGENDA' | 'MINUTES' | 'DECISION' | 'OTHER';

/** A paper an ESDH publishes: what a municipal website lists, and nothing of a case or its parties. */
export interface PublicDocumentRecord {
  /** The paper's id in the ESDH. */
  id: string;
  title: string | null;
  /** ISO date of the paper */
  date: string | null;
  kind: PublicDocumentKind;
  /** The council or committee whose meeting the paper is of, as the ESDH names it. */
  committee: string | null;
  /** ISO date of that meeting. */
  meetingDate: string | null;
  /** The title the ESDH publishes for the matter a decision is made in. */
  caseTitle: string | null;
  /** MIME type of the main file */
  format: string | null;
  /** Whether the ESDH marks it public: true only when it says so in as many words. */
  published: boolean;
}

/** One page of an ESDH's public papers. */
export interface PublicDocumentPage {
  entries: PublicDocumentRecord[];
  /** How many public papers there are in all, when the system says. */
  total: number | null;
}

/** The status codes an ESDH moves a case through (FremdriftStatusKode). */
export type EsdhCaseStatus = 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Afsluttet';

export interface NewCaseInput {
  title: string;
  /** KLE subject number (emnenummer) */
  kle: string;
  parties: { cpr: string; role: 'PRIMARY' | 'SECONDARY' }[];
  responsibleUnit?: string;
}

export interface NewDocumentInput {
  title: string;
  kind: 'INCOMING' | 'OUTGOING' | 'NOTE';
  /** ISO date */
  date: string;
}
