/** A document as the owning case-and-document system (ESDH) describes it. */
export interface DocumentRecord {
  id: string;
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
  id: string;
  number: string;
  title: string | null;
  status: string | null;
  responsibleUnit: string | null;
  openedAt: string | null;
  classification: { number: string; title: string | null } | null;
}
