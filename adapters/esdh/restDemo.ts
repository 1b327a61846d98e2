/**
 * The demo vendor's REST ESDH (simulators/esdh) as a CaseSystem, and its vendor row
 * (`kind: "rest-demo"`). Its ids are the case index's own, so nothing is mapped.
 */
import { z } from 'zod';
import { NotFound } from '../core/errors';
import { createJsonClient, type JsonClient } from '../core/restClient';
import { mapEsdhCase, mapEsdhDocument } from './mapEsdh';
import { mapEsdhPublicDocumentPage } from './mapEsdhPublicDocument';
import type { CaseSystem, NewDocumentInput } from './types';
import type { CaseSystemVendor } from './vendor';

const KIND_TEXT: Readonly<Record<NewDocumentInput['kind'], string>> = { INCOMING: 'Indgående', OUTGOING: 'Udgående', NOTE: 'Notat' };

/** The demo vendor's REST API (see simulators/esdh). */
export function createRestCaseSystem(options: { municipalityCode: string; client: JsonClient }): CaseSystem {
  const { client, municipalityCode } = options;
  const system = client.system;
  return {
    municipalityCode,
    // The demo ESDH keeps Idempotency-Key for its writes: a repeated write answers as the first.
    idempotentWrites: true,
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
    // The ESDH lists what it marks public itself (its access codes): no case and no party is asked for.
    publicDocuments: async (page, callOptions = {}) =>
      mapEsdhPublicDocumentPage(await client.get(`api/v1/offentlige-dokumenter?start=${page.offset}&maks=${page.limit}`, { ...callOptions, tenant: municipalityCode }), system),
  };
}

const restDemoEntry = z.strictObject({
  kind: z.literal('rest-demo'),
  /** The API's base URL (…/ before `api/v1/`). */
  url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the demo ESDH' }),
});

/** `{ "kind": "rest-demo", "url": "http://esdh.kk.internal/" }`: the demo ESDH asks no credentials. */
export const restDemoVendor: CaseSystemVendor<z.output<typeof restDemoEntry>> = {
  product: 'the demo vendor\'s REST ESDH',
  entry: restDemoEntry,
  open(entry, context) {
    const client = createJsonClient({
      system: 'esdh',
      baseUrl: entry.url,
      timeoutMs: context.timeoutMs,
      ...(context.resilience ? { resilience: context.resilience } : {}),
    });
    return { system: createRestCaseSystem({ municipalityCode: context.municipalityCode, client }), close: () => client.close() };
  },
};
