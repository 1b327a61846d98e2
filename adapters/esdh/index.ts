/**
 * ESDH adapter: a municipality's own case-and-document system. Each municipality runs its own
 * vendor; the tenant registry names which adapter and URL serve each one.
 */
import { NotFound } from '../core/errors';
import type { JsonClient } from '../core/restClient';
import { mapEsdhCase, mapEsdhDocument } from './mapEsdh';
import type { DocumentRecord, EsdhCaseRecord } from './types';

export type { DocumentKind, DocumentRecord, EsdhCaseRecord } from './types';
export { mapEsdhCase, mapEsdhDocument } from './mapEsdh';

export interface CaseSystemCallOptions {
  signal?: AbortSignal;
}

/** One municipality's case-and-document system. */
export interface CaseSystem {
  /** Municipality code this system serves. */
  readonly municipalityCode: string;
  /** The case with this sagsnummer. Throws NotFound. */
  caseByNumber(number: string, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
  /** The documents filed on a case. Throws NotFound when the case is unknown. */
  documentsOfCase(number: string, options?: CaseSystemCallOptions): Promise<DocumentRecord[]>;
  /** One document's metadata. Throws NotFound. */
  document(id: string, options?: CaseSystemCallOptions): Promise<DocumentRecord>;
  /** Opens a case (opret sag). A write: never retried. */
  openCase(input: NewCaseInput, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
  /** Files (journalizes) a document on a case. A write: never retried. Throws NotFound for an unknown case. */
  fileDocument(caseNumber: string, input: NewDocumentInput, options?: CaseSystemCallOptions): Promise<DocumentRecord>;
  /** Moves a case to another status (FremdriftStatusKode). A write: never retried. Throws NotFound for an unknown case. */
  changeStatus(caseNumber: string, status: EsdhCaseStatus, options?: CaseSystemCallOptions): Promise<EsdhCaseRecord>;
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

const KIND_TEXT: Readonly<Record<NewDocumentInput['kind'], string>> = { INCOMING: 'Indgående', OUTGOING: 'Udgående', NOTE: 'Notat' };

/** The demo vendor's REST API (see simulators/esdh). */
export function createRestCaseSystem(options: { municipalityCode: string; client: JsonClient }): CaseSystem {
  const { client, municipalityCode } = options;
  const system = client.system;
  return {
    municipalityCode,
    caseByNumber: async (number, callOptions = {}) =>
      mapEsdhCase(await client.get(`api/v1/sager/${encodeURIComponent(number)}`, { ...callOptions, tenant: municipalityCode }), system),
    documentsOfCase: async (number, callOptions = {}) => {
      const raw = await client.get(`api/v1/sager/${encodeURIComponent(number)}/dokumenter`, { ...callOptions, tenant: municipalityCode });
      if (!Array.isArray(raw)) throw new NotFound(`${system}: no documents list`, { system, tenant: municipalityCode });
      return raw.map((d) => mapEsdhDocument(d, system));
    },
    document: async (id, callOptions = {}) =>
      mapEsdhDocument(await client.get(`api/v1/dokumenter/${encodeURIComponent(id)}`, { ...callOptions, tenant: municipalityCode }), system),
    openCase: async (input, callOptions = {}) =>
      mapEsdhCase(
        await client.send('POST', 'api/v1/sager', {
          titel: input.title,
          kle: input.kle,
          parter: input.parties.map((p) => ({ cpr: p.cpr, rolle: p.role === 'PRIMARY' ? 'Primær part' : 'Sekundær part' })),
          ...(input.responsibleUnit ? { ansvarligEnhed: input.responsibleUnit } : {}),
        }, { ...callOptions, tenant: municipalityCode }),
        system,
      ),
    fileDocument: async (caseNumber, input, callOptions = {}) =>
      mapEsdhDocument(
        await client.send('POST', `api/v1/sager/${encodeURIComponent(caseNumber)}/dokumenter`, { titel: input.title, type: KIND_TEXT[input.kind], dato: input.date }, {
          ...callOptions,
          tenant: municipalityCode,
        }),
        system,
      ),
    changeStatus: async (caseNumber, status, callOptions = {}) =>
      mapEsdhCase(await client.send('PATCH', `api/v1/sager/${encodeURIComponent(caseNumber)}`, { status }, { ...callOptions, tenant: municipalityCode }), system),
  };
}
