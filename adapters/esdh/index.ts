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
}

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
  };
}
