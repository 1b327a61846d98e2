/**
 * ESDH simulator: one municipality's own case-and-document system (REST/JSON). Every vendor has
 * its own API; this one stands for a typical one: case by number, the documents of a case,
 * and document metadata. One instance per demo municipality, serving only that municipality's cases.
 *
 *   GET /api/v1/sager/{sagsnummer}              → the case
 *   GET /api/v1/sager/{sagsnummer}/dokumenter   → its documents
 *   GET /api/v1/dokumenter/{uuid}               → one document's metadata
 */
import { buildWorld, type Case, type CaseDocument, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../core/simulator';
import { json } from '../core/rest';

const KIND_TEXT: Record<CaseDocument['kind'], string> = { INCOMING: 'Indgående', OUTGOING: 'Udgående', NOTE: 'Notat' };

export async function startEsdhSimulator(options: SimulatorOptions & { municipalityCode: string; world?: World }): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const { municipalityCode } = options;
  if (!world.municipalities.some((m) => m.code === municipalityCode)) throw new Error(`no municipality ${municipalityCode} in the synthetic world`);
  const caseByNumber = (number: string): Case | undefined => {
    const id = world.casesByNumber.get(`${municipalityCode}|${number}`);
    return id ? world.cases.get(id) : undefined;
  };
  const notFound = () => json(404, { fejlkode: 'IKKE_FUNDET', besked: 'Findes ikke' });

  return startSimulator(
    {
      name: `esdh-${municipalityCode}`,
      renderFault: () => json(503, { fejlkode: 'SYSTEM_NEDE', besked: 'Systemet er lukket for vedligehold' }),
      handle: (request) => {
        if (request.method !== 'GET') return { response: json(405, { fejlkode: 'METODE', besked: 'Kun GET' }) };
        const parts = request.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        if (parts[0] !== 'api' || parts[1] !== 'v1') return { response: notFound() };
        if (parts[2] === 'sager' && parts[3] && parts.length === 4) {
          const kase = caseByNumber(parts[3]);
          const record = { operation: 'sag', key: parts[3] };
          return { response: kase ? json(200, caseJson(kase)) : notFound(), record };
        }
        if (parts[2] === 'sager' && parts[3] && parts[4] === 'dokumenter' && parts.length === 5) {
          const kase = caseByNumber(parts[3]);
          const record = { operation: 'dokumenter', key: parts[3] };
          if (!kase) return { response: notFound(), record };
          return { response: json(200, kase.documentIds.map((id) => documentJson(world.documents.get(id)!, kase))), record };
        }
        if (parts[2] === 'dokumenter' && parts[3] && parts.length === 4) {
          const document = world.documents.get(parts[3]);
          const kase = document ? world.cases.get(document.caseId) : undefined;
          const record = { operation: 'dokument', key: parts[3] };
          if (!document || !kase || kase.municipalityCode !== municipalityCode) return { response: notFound(), record };
          return { response: json(200, documentJson(document, kase)), record };
        }
        return { response: notFound() };
      },
    },
    options,
  );
}

function caseJson(kase: Case) {
  return {
    uuid: kase.id,
    sagsnummer: kase.number,
    titel: kase.title,
    status: kase.status,
    kle: { nummer: kase.kle.number, titel: kase.kle.title },
    ansvarligEnhed: kase.responsibleUnit,
    oprettet: kase.openedAt,
    foelsom: kase.sensitive,
    parter: kase.parties.map((p) => ({ cpr: p.cpr, rolle: p.role === 'PRIMARY' ? 'Primær part' : 'Sekundær part' })),
  };
}

function documentJson(document: CaseDocument, kase: Case) {
  return {
    uuid: document.id,
    sagsnummer: kase.number,
    titel: document.title,
    dato: document.date,
    type: KIND_TEXT[document.kind],
    filformat: 'application/pdf',
  };
}
