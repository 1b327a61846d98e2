/**
 * ESDH simulator: one municipality's own case-and-document system (REST/JSON). Every vendor has
 * its own API; this one stands for a typical one: case by number, the documents of a case,
 * and document metadata. One instance per demo municipality, serving only that municipality's cases.
 *
 *   GET   /api/v1/sager/{sagsnummer}              → the case
 *   GET   /api/v1/sager/{sagsnummer}/dokumenter   → its documents
 *   GET   /api/v1/dokumenter/{uuid}               → one document's metadata
 *   POST  /api/v1/sager                           → opens a case          { titel, kle, parter: [{ cpr, rolle }], ansvarligEnhed }
 *   POST  /api/v1/sager/{sagsnummer}/dokumenter   → files a document      { titel, type, dato }
 *   PATCH /api/v1/sager/{sagsnummer}              → moves the case on     { status }
 *   GET   /api/v1/offentlige-dokumenter?start=&maks=
 *                                                 → the papers marked public (meeting papers,
 *                                                   decisions), newest first: { totalAntal, dokumenter }
 * A write the system refuses is 422 { fejlkode, besked }.
 */
import { buildWorld, type Case, type CaseDocument, type MunicipalPaper, type World } from '../data/world';
import { startSimulator, type HandledCall, type RunningSimulator, type SimulatorOptions, type SimulatorRequest, type SimulatorResponse } from '../core/simulator';
import { json, queryParam } from '../core/rest';
import { CaseWriteRefused, changeStatus, fileDocument, openCase } from '../data/caseWrites';

const KIND_TEXT: Record<CaseDocument['kind'], string> = { INCOMING: 'Indgående', OUTGOING: 'Udgående', NOTE: 'Notat' };
const PAPER_KIND_TEXT: Record<MunicipalPaper['kind'], string> = { AGENDA: 'Dagsorden', MINUTES: 'Referat', DECISION: 'Afgørelse' };
/** The most papers one call answers: a list for a website, not an export. */
const MAX_PAPERS_PER_CALL = 500;

/** The demo ESDH, with one more control than every simulator has. */
export interface RunningEsdhSimulator extends RunningSimulator {
  /** Writes are made at once and answered this much later: a caller that times out missed a write that was made. */
  delayWriteAnswers(ms: number): void;
}

export async function startEsdhSimulator(options: SimulatorOptions & { municipalityCode: string; world?: World }): Promise<RunningEsdhSimulator> {
  const world = options.world ?? buildWorld();
  const { municipalityCode } = options;
  if (!world.municipalities.some((m) => m.code === municipalityCode)) throw new Error(`no municipality ${municipalityCode} in the synthetic world`);
  const caseByNumber = (number: string): Case | undefined => {
    const id = world.casesByNumber.get(`${municipalityCode}|${number}`);
    return id ? world.cases.get(id) : undefined;
  };
  const notFound = () => json(404, { fejlkode: 'IKKE_FUNDET', besked: 'Findes ikke' });
  // Only what the ESDH marks public, newest first, ties by id: the same order on every call, so start is a stable offset.
  const published = [...(world.municipalPapers?.get(municipalityCode) ?? [])]
    .filter((paper) => paper.public)
    .sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? 1 : -1));

  const keyed = new Map<string, { fingerprint: string; response: SimulatorResponse }>();
  let answerDelayMs = 0;
  const simulator = await startSimulator(
    {
      name: `esdh-${municipalityCode}`,
      renderFault: () => json(503, { fejlkode: 'SYSTEM_NEDE', besked: 'Systemet er lukket for vedligehold' }),
      handle: (request) => {
        const parts = request.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        if (parts[0] !== 'api' || parts[1] !== 'v1') return { response: notFound() };
        if (request.method === 'POST' || request.method === 'PATCH') return keyedWrite(request, parts.slice(2));
        if (request.method !== 'GET') return { response: json(405, { fejlkode: 'METODE', besked: 'GET, POST eller PATCH' }) };
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
        if (parts[2] === 'offentlige-dokumenter' && parts.length === 3) {
          const start = wholeNumber(queryParam(request.url, 'start') ?? '0');
          const maks = wholeNumber(queryParam(request.url, 'maks') ?? '50');
          const record = { operation: 'offentlige-dokumenter', key: `${start ?? '?'}+${maks ?? '?'}` };
          if (start === undefined || maks === undefined || maks < 1 || maks > MAX_PAPERS_PER_CALL) {
            return { response: json(400, { fejlkode: 'UGYLDIG_FORESPOERGSEL', besked: `start skal være et helt tal fra 0, maks et helt tal fra 1 til ${MAX_PAPERS_PER_CALL}` }), record };
          }
          return { response: json(200, { totalAntal: published.length, dokumenter: published.slice(start, start + maks).map(paperJson) }), record };
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
  return Object.assign(simulator, {
    /** Writes are made at once and answered this much later (0: at once). */
    delayWriteAnswers(ms: number) {
      answerDelayMs = ms;
    },
  });

  /**
   * Idempotency-Key, as REST APIs honour it: a write sent again under its key is answered as the
   * first was and made once; the same key on another write is refused (422). Keys are kept for
   * the simulator's life, as a real system keeps them for a day or so.
   */
  async function keyedWrite(request: SimulatorRequest, path: string[]): Promise<HandledCall> {
    const key = request.headers['idempotency-key'];
    const done = async (handled: HandledCall) => {
      // Made, then slow to answer: what a caller that times out has not heard of.
      if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
      return handled;
    };
    if (typeof key !== 'string' || !key) return done(write(request.method, path, request.body));
    const fingerprint = `${request.method} ${path.join('/')} ${request.body}`;
    const kept = keyed.get(key);
    if (kept) {
      if (kept.fingerprint !== fingerprint) return { response: json(422, { fejlkode: 'NOEGLE_GENBRUGT', besked: 'Idempotency-Key er brugt til en anden skrivning' }), record: { operation: 'genbrugt-noegle', key } };
      return { response: kept.response, record: { operation: 'gentaget', key } };
    }
    const handled = write(request.method, path, request.body);
    // Only a write that was made is kept: a refused one may be sent again, corrected, under its key.
    if (handled.response.status >= 200 && handled.response.status < 300) keyed.set(key, { fingerprint, response: handled.response });
    return done(handled);
  }

  function write(method: string, path: string[], text: string): HandledCall {
    const refused = (besked: string) => json(422, { fejlkode: 'AFVIST', besked });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { response: json(400, { fejlkode: 'UGYLDIG_JSON', besked: 'Ugyldig JSON' }) };
    }
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    try {
      if (method === 'POST' && path[0] === 'sager' && path.length === 1) {
        const parter = Array.isArray(body['parter']) ? (body['parter'] as { cpr?: unknown; rolle?: unknown }[]) : [];
        const titel = str(body['titel']);
        const kle = str(body['kle']);
        if (!titel || !kle) return { response: refused('titel og kle skal angives'), record: { operation: 'opret-sag', key: kle ?? '' } };
        const kase = openCase(world, municipalityCode, {
          title: titel,
          kle,
          responsibleUnit: str(body['ansvarligEnhed']) ?? 'Borgerservice',
          parties: parter.map((p) => ({ cpr: String(p.cpr ?? ''), role: p.rolle === 'Sekundær part' ? 'SECONDARY' : 'PRIMARY' })),
        });
        return { response: json(201, caseJson(kase)), record: { operation: 'opret-sag', key: kase.number } };
      }
      const kase = path[1] ? caseByNumber(path[1]) : undefined;
      if (method === 'POST' && path[0] === 'sager' && path[2] === 'dokumenter' && path.length === 3) {
        const record = { operation: 'journaliser', key: path[1]! };
        if (!kase) return { response: notFound(), record };
        const kind = (Object.entries(KIND_TEXT).find(([, text]) => text === body['type'])?.[0] ?? 'NOTE') as CaseDocument['kind'];
        const titel = str(body['titel']);
        if (!titel) return { response: refused('titel skal angives'), record };
        const document = fileDocument(world, kase, { title: titel, kind, date: str(body['dato']) ?? new Date().toISOString().slice(0, 10) });
        return { response: json(201, documentJson(document, kase)), record };
      }
      if (method === 'PATCH' && path[0] === 'sager' && path.length === 2) {
        const record = { operation: 'skift-status', key: path[1]! };
        if (!kase) return { response: notFound(), record };
        const status = str(body['status']);
        if (!status || !['Opstaaet', 'Oplyst', 'Afgjort', 'Afsluttet'].includes(status)) return { response: refused('ukendt status'), record };
        return { response: json(200, caseJson(changeStatus(kase, status as Case['status']))), record };
      }
      return { response: notFound() };
    } catch (error) {
      if (error instanceof CaseWriteRefused) return { response: refused(error.message) };
      throw error;
    }
  }
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

/** A public paper as the ESDH publishes it: no case, no parties, only what a website shows. */
function paperJson(paper: MunicipalPaper) {
  return {
    uuid: paper.id,
    titel: paper.title,
    dato: paper.date,
    type: PAPER_KIND_TEXT[paper.kind],
    udvalg: paper.committee,
    moededato: paper.meetingDate,
    sagstitel: paper.caseTitle,
    offentlig: paper.public,
    filformat: 'application/pdf',
  };
}

function wholeNumber(text: string): number | undefined {
  return /^[0-9]{1,9}$/.test(text) ? Number(text) : undefined;
}
