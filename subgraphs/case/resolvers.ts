/**
 * Case resolvers: cases from the national case index (SF1470), classification titles from KLE,
 * document details from the owning municipality's ESDH. Parties are Citizen references the
 * citizen subgraph resolves.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { CaseIndex, CaseIndexEntry } from '../../adapters/case-index';
import { Forbidden, NotFound } from '../../adapters/core/errors';
import { eachKey } from '../../adapters/core/loaders';
import type { CaseSystem, DocumentRecord } from '../../adapters/esdh';
import type { Classification } from '../../adapters/kle';
import { cprScalar, dateScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import type { SubgraphContext } from '../shared/subgraphServer';

export interface CaseServices {
  caseIndex: CaseIndex;
  classification: Classification;
  /** Each municipality's own case-and-document system, by municipality code. */
  caseSystems: ReadonlyMap<string, CaseSystem>;
  /** Municipality code by CVR number, to tell which municipality owns a case. */
  municipalityByCvr: ReadonlyMap<string, string>;
  /** CVR number by municipality code, to ask the index on the caller's municipality's behalf. */
  cvrByMunicipality: ReadonlyMap<string, string>;
}

/** A case as this subgraph carries it between resolvers. */
interface CaseValue extends CaseIndexEntry {
  municipalityCode: string | null;
}

interface DocumentValue {
  id: string;
  title: string | null;
  date: string | null;
  caseNumber: string | null;
  municipalityCode: string | null;
  sourceSystem: string | null;
}

const STATUS: Readonly<Record<string, string>> = {
  Opstaaet: 'OPENED',
  Oplyst: 'INFORMED',
  Afgjort: 'DECIDED',
  Afsluttet: 'CLOSED',
  Bestilt: 'ORDERED',
  Udfoert: 'CARRIED_OUT',
};

const SENSITIVITY: Readonly<Record<string, string>> = {
  IKKE_FORTROLIGE_DATA: 'NOT_CONFIDENTIAL',
  FORTROLIGE_PERSONOPLYSNINGER: 'CONFIDENTIAL',
  FOELSOMME_PERSONOPLYSNINGER: 'SENSITIVE',
  VIP_SAGER: 'VIP',
};

export function caseResolvers(services: CaseServices): GraphQLResolverMap<SubgraphContext> {
  const toCase = (entry: CaseIndexEntry): CaseValue => ({
    ...entry,
    municipalityCode: entry.ownerCvr ? (services.municipalityByCvr.get(entry.ownerCvr) ?? null) : null,
  });
  /**
   * A caller who belongs to a municipality (a caseworker) sees that municipality's cases only:
   * the index is asked under its AuthorityContext. Callers without one (a citizen, a national
   * service) are asked for nationally.
   */
  const onBehalfOf = (ctx: SubgraphContext) => {
    const tenant = ctx.caller.tenant;
    if (!tenant) return {};
    const municipalityCvr = services.cvrByMunicipality.get(tenant);
    if (!municipalityCvr) throw new Forbidden('case-index: the caller\'s municipality is not served by this deployment', { system: 'case-index', tenant });
    return { municipalityCvr, tenant };
  };
  const casesOfParty = (ctx: SubgraphContext, cpr: string) =>
    ctx.loaders
      .loader<string, CaseIndexEntry[]>('case-index:party', eachKey((key) => services.caseIndex.casesByParty(key, { signal: ctx.signal, ...onBehalfOf(ctx) })))
      .load(cpr);
  // fremsoeg takes many SagUuid at once: one index call for every case id the request asks for.
  const caseById = (ctx: SubgraphContext, id: string) =>
    ctx.loaders
      .loader<string, CaseIndexEntry>('case-index:id', async (ids) => {
        const found = new Map((await services.caseIndex.casesById(ids, { signal: ctx.signal, ...onBehalfOf(ctx) })).map((c) => [c.id, c]));
        return ids.map((id) => found.get(id) ?? new NotFound('case-index: no such case', { system: 'case-index' }));
      })
      .load(id);
  const caseSystemOf = (municipalityCode: string | null): CaseSystem => {
    const system = municipalityCode ? services.caseSystems.get(municipalityCode) : undefined;
    if (!system) throw new NotFound('esdh: no case system is configured for the owning municipality', { system: 'esdh' });
    return system;
  };
  /** All documents of a case in one ESDH call, shared by every document field of the request. */
  const esdhDocuments = (ctx: SubgraphContext, municipalityCode: string | null, caseNumber: string) =>
    ctx.loaders
      .loader<string, DocumentRecord[]>('esdh:documents', eachKey((key) => {
        const [code, number] = key.split('|', 2) as [string, string];
        return caseSystemOf(code).documentsOfCase(number, { signal: ctx.signal });
      }))
      .load(`${municipalityCode ?? ''}|${caseNumber}`);
  const esdhDocument = async (ctx: SubgraphContext, doc: DocumentValue): Promise<DocumentRecord> => {
    if (!doc.caseNumber) throw new NotFound('esdh: the document has no case', { system: 'esdh' });
    const found = (await esdhDocuments(ctx, doc.municipalityCode, doc.caseNumber)).find((d) => d.id === doc.id);
    if (!found) throw new NotFound('esdh: the document is not on its case', { system: 'esdh' });
    return found;
  };

  return {
    CPR: cprScalar,
    Date: dateScalar,
    Query: {
      case: async (_root: unknown, args: { id: string }, ctx: SubgraphContext) => toCase(await caseById(ctx, args.id)),
    },
    Citizen: {
      __resolveReference: (reference: { cpr: string }) => ({ cpr: citizenReference(reference).cpr }),
      cases: async (citizen: { cpr: string }, _args: unknown, ctx: SubgraphContext) => {
        const cases = (await casesOfParty(ctx, citizen.cpr)).map(toCase);
        ctx.access.touched(citizen.cpr, 'Citizen.cases', 'case-index');
        return cases;
      },
    },
    Case: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => toCase(await caseById(ctx, reference.id)),
      status: (c: CaseValue) => (c.status ? (STATUS[c.status] ?? null) : null),
      sensitivity: (c: CaseValue) => (c.sensitivity ? (SENSITIVITY[c.sensitivity] ?? null) : null),
      classification: async (c: CaseValue, _args: unknown, ctx: SubgraphContext) => {
        if (!c.classification?.number) return null;
        const { number, title } = c.classification;
        // KLE is the authority for the subject's title; the index's copy serves when KLE cannot.
        const subject = await services.classification
          .subject(number, { signal: ctx.signal, onStale: () => ctx.stale.add('kle') })
          .catch(() => {
            ctx.stale.add('kle');
            return null;
          });
        return {
          number,
          title: subject?.title ?? title,
          group: subject?.group ?? null,
          mainGroup: subject?.mainGroup ?? null,
        };
      },
      parties: (c: CaseValue, _args: unknown, ctx: SubgraphContext) =>
        c.parties.map((p) => {
          ctx.access.touched(p.cpr, 'Case.parties', 'case-index');
          return { role: p.role, citizen: { cpr: p.cpr } };
        }),
      documents: (c: CaseValue): DocumentValue[] =>
        c.documents.map((d) => ({
          id: d.id,
          title: d.title,
          date: d.filedAt,
          caseNumber: c.number,
          municipalityCode: c.municipalityCode,
          sourceSystem: c.sourceSystem,
        })),
    },
    Document: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        // Only the case subgraph refers to documents; a bare id is looked up in every ESDH at
        // once, and one that is down does not stop the others from answering.
        const answers = await Promise.allSettled(
          [...services.caseSystems.values()].map(async (system) => ({ system, d: await system.document(reference.id, { signal: ctx.signal }) })),
        );
        const found = answers.find((a) => a.status === 'fulfilled');
        if (found?.status === 'fulfilled') {
          const { system, d } = found.value;
          return { id: d.id, title: d.title, date: d.date, caseNumber: d.caseNumber, municipalityCode: system.municipalityCode, sourceSystem: null };
        }
        const failure = answers.find((a) => a.status === 'rejected' && !(a.reason instanceof NotFound));
        throw failure?.status === 'rejected' ? failure.reason : new NotFound('esdh: no such document', { system: 'esdh' });
      },
      kind: async (doc: DocumentValue, _args: unknown, ctx: SubgraphContext) => (await esdhDocument(ctx, doc)).kind,
      format: async (doc: DocumentValue, _args: unknown, ctx: SubgraphContext) => (await esdhDocument(ctx, doc)).format,
    },
  };
}
