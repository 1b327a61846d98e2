/**
 * Case resolvers: cases from the national case index (SF1470), classification titles from KLE,
 * document details from the owning municipality's ESDH. Parties are Citizen references the
 * citizen subgraph resolves.
 */
import type { CaseIndex, CaseIndexEntry, CaseProgress } from '../../adapters/case-index';
import { Forbidden, NotFound } from '../../adapters/core/errors';
import { eachKey } from '../../adapters/core/loaders';
import type { CaseSystem, DocumentRecord } from '../../adapters/esdh';
import type { Classification } from '../../adapters/kle';
import { cprScalar, dateScalar } from '../../schema/scalars';
import { citizenReference } from '../shared/citizenReference';
import { caseListScope, cursorFor, meetsCriteria, pageOf, readCaseListArgs, type CaseListArgs } from './caseList';
import { caseWorkResolvers } from './caseWork';
import { caseObjectIdOf, environmentalCasesAbout } from './environmentalCases';
import { requireOwnData } from '../shared/ownData';
import type { SubgraphContext } from '../shared/subgraphServer';
import type { CaseStatus, Resolvers, Sensitivity } from './generated/resolvers';
import type { CaseParent as CaseValue, DocumentParent as DocumentValue } from './parents';
import type { Tenants } from '../../runtime/tenantRegistry';
import { allowedMoves, procedureFor, type Procedure, type ProcedureStep } from './procedure';
import { publicDocumentsPage, readPublicDocumentsArgs, type PublicDocumentsArgs } from './publicDocuments';

export interface CaseServices {
  caseIndex: CaseIndex;
  classification: Classification;
  /** The municipalities served now (the tenant registry in force). */
  tenants: () => Tenants;
  /** A municipality's own case-and-document system, as the registry in force names it. */
  caseSystem: (municipalityCode: string) => CaseSystem | undefined;
  /** The procedure catalogue in force, by KLE number; none when absent. */
  procedures?: () => ReadonlyMap<string, Procedure>;
}

// Every progress the index can name has its status, so a procedure step always shows one.
const STATUS: Readonly<Record<CaseProgress, CaseStatus>> = {
  Opstaaet: 'OPENED',
  Oplyst: 'INFORMED',
  Afgjort: 'DECIDED',
  Afsluttet: 'CLOSED',
  Bestilt: 'ORDERED',
  Udfoert: 'CARRIED_OUT',
};

const SENSITIVITY: Readonly<Record<string, Sensitivity>> = {
  IKKE_FORTROLIGE_DATA: 'NOT_CONFIDENTIAL',
  FORTROLIGE_PERSONOPLYSNINGER: 'CONFIDENTIAL',
  FOELSOMME_PERSONOPLYSNINGER: 'SENSITIVE',
  VIP_SAGER: 'VIP',
};

const NO_PROCEDURES: ReadonlyMap<string, Procedure> = new Map();

export function caseResolvers(services: CaseServices): Resolvers {
  const procedureOf = (c: CaseIndexEntry) => procedureFor(services.procedures?.() ?? NO_PROCEDURES, c.classification?.number);
  const toStep = (step: ProcedureStep) => ({ id: step.id, name: step.name, status: STATUS[step.caseStatus] });
  const toCase = (entry: CaseIndexEntry): CaseValue => ({
    ...entry,
    municipalityCode: entry.ownerCvr ? (services.tenants().byCvr.get(entry.ownerCvr)?.code ?? null) : null,
  });
  /**
   * A caller who belongs to a municipality (a caseworker) sees that municipality's cases only:
   * the index is asked under its AuthorityContext. Callers without one (a citizen, a national
   * service) are asked for nationally.
   */
  const onBehalfOf = (ctx: SubgraphContext) => {
    const tenant = ctx.caller.tenant;
    if (!tenant) return {};
    const municipalityCvr = services.tenants().byCode.get(tenant)?.cvr;
    if (!municipalityCvr) throw new Forbidden('case-index: the caller\'s municipality is not served by this deployment', { system: 'case-index', tenant });
    return { municipalityCvr, tenant };
  };
  /**
   * The index is asked on the caller's municipality's behalf; what it answers is checked again
   * here, so a case of another municipality never passes even if an index shows it more widely.
   */
  const ownedByCaller = (ctx: SubgraphContext, entry: CaseIndexEntry) => !ctx.caller.tenant || toCase(entry).municipalityCode === ctx.caller.tenant;
  const casesOfParty = (ctx: SubgraphContext, cpr: string) =>
    ctx.loaders
      .loader<string, CaseIndexEntry[]>('case-index:party', eachKey(async (key) =>
        (await services.caseIndex.casesByParty(key, { signal: ctx.signal, ...onBehalfOf(ctx) })).filter((entry) => ownedByCaller(ctx, entry))))
      .load(cpr);
  // fremsoeg takes many SagUuid at once: one index call for every case id the request asks for.
  const caseById = (ctx: SubgraphContext, id: string) =>
    ctx.loaders
      .loader<string, CaseIndexEntry>('case-index:id', async (ids) => {
        const answered = await services.caseIndex.casesById(ids, { signal: ctx.signal, ...onBehalfOf(ctx) });
        const found = new Map(answered.filter((c) => ownedByCaller(ctx, c)).map((c) => [c.id, c]));
        return ids.map((id) => found.get(id) ?? new NotFound('case-index: no such case', { system: 'case-index' }));
      })
      .load(id);
  const caseSystemOf = (municipalityCode: string | null): CaseSystem => {
    const system = municipalityCode ? services.caseSystem(municipalityCode) : undefined;
    if (!system) throw new NotFound('esdh: no case system is configured for the owning municipality', { system: 'esdh' });
    return system;
  };
  /**
   * The join of index and ESDH. The index (SF1470) is where the graph's ids come from, and it holds
   * what the owning ESDH fed it: that ESDH's own case number (sagsnummer), and a UUID per document.
   * So a case's ESDH data is asked for by its number, and a document is found among its case's by
   * the id the index gives it: every CaseSystem answers with the index's ids, mapping its own where
   * they differ (Acadre's integers: adapters/esdh/acadreIndexIdentity.ts). Joining on anything
   * else (titles, dates, position) would pair the wrong documents the day two are alike.
   *
   * All documents of a case in one ESDH call, shared by every document field of the request.
   */
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

  /**
   * Which cases a list shows this caller: why `citizen(cpr:) { cases }` is `[]` for a caseworker
   * asking about another municipality's citizen. The statement is made from the caller alone
   * (their municipality), the same for every citizen and every answer, and never from what the
   * index holds. Anything that depended on the data would disclose it: "this citizen has cases
   * elsewhere" (or its absence) tells a caseworker of one municipality that the citizen is, or is
   * not, known to another's social services, job centre or schools, which is exactly what tenancy
   * keeps from them; so would a count, a municipality's name, or a difference in timing. To find
   * that out the subgraph would also have to ask the index nationally, on behalf of somebody not
   * entitled to the answer. So the index is asked under the caller's AuthorityContext only, and
   * the list says, always: "Shows only cases of municipality 0101". It is a field of the graph
   * (`Citizen.casesScope`, `CaseConnection.scope`), typed and documented, rather than an extension:
   * the gateway forwards no subgraph extension to clients, and an error at `cases` would null it.
   */
  const listScope = (ctx: SubgraphContext) => {
    const tenant = ctx.caller.tenant;
    return caseListScope(tenant, tenant ? services.tenants().byCode.get(tenant)?.name : undefined);
  };
  /** Notes, for every party of the case, that `coordinate` of it was read from `system`. */
  const touchedCase = (ctx: SubgraphContext, parties: readonly { cpr: string }[] | readonly string[], coordinate: string, system = 'case-index') => {
    for (const p of parties) ctx.access.touched(typeof p === 'string' ? p : p.cpr, coordinate, system);
  };
  /**
   * A property's environmental cases, for `Address` and `Building` alike: one index call per
   * thing per request, under the caller's AuthorityContext, its answer checked for tenancy and
   * for the thing and the KLE main group (environmentalCases.ts). Only when the field is asked:
   * an address or a building read for anything else costs the index nothing.
   */
  const environmentalCases = (coordinate: string) => async (thing: { id: string }, _args: unknown, ctx: SubgraphContext): Promise<CaseValue[]> => {
    // As the case list: a municipality's cases, and a caller who acts for none has none to see.
    if (!ctx.caller.tenant) throw new Forbidden(`case-index: ${coordinate} shows the caller's own municipality's cases, and the caller acts for none`, { system: 'case-index' });
    const objectId = caseObjectIdOf(thing.id);
    if (!objectId) return [];
    const answered = await ctx.loaders
      .loader<string, CaseIndexEntry[]>('case-index:object', eachKey((key) => services.caseIndex.casesByCaseObject(key, { signal: ctx.signal, ...onBehalfOf(ctx) })))
      .load(objectId);
    const cases = environmentalCasesAbout(answered.filter((entry) => ownedByCaller(ctx, entry)), objectId).map(toCase);
    // That a case about the property is in the answer is data about its parties (the owner has
    // an environmental case, in this status, opened then), whichever of its fields are read.
    for (const c of cases) touchedCase(ctx, c.parties, coordinate);
    return cases;
  };
  /** A field read straight off the index entry, noted as an access to each party's data. */
  const caseField =
    <K extends keyof CaseValue>(key: K) =>
    (c: CaseValue, _args: unknown, ctx: SubgraphContext, info: { fieldName: string }) => {
      touchedCase(ctx, c.parties, `Case.${info.fieldName}`);
      return c[key];
    };
  const documentField =
    <K extends keyof DocumentValue>(key: K) =>
    (d: DocumentValue, _args: unknown, ctx: SubgraphContext, info: { fieldName: string }) => {
      touchedCase(ctx, d.parties, `Document.${info.fieldName}`);
      return d[key];
    };

  return {
    CPR: cprScalar,
    Date: dateScalar,
    Mutation: caseWorkResolvers<CaseValue, DocumentValue>({
      classification: services.classification,
      tenants: services.tenants,
      caseSystem: services.caseSystem,
      caseById: async (ctx, id) => toCase(await caseById(ctx, id)),
      toCase,
      toDocument: (c, d) => ({ id: d.id, parties: c.parties.map((p) => p.cpr), title: d.title, date: d.date, caseNumber: c.number, municipalityCode: c.municipalityCode, sourceSystem: c.sourceSystem }),
      procedureOf,
      casesOfParty: async (ctx, cpr) => (await casesOfParty(ctx, cpr)).map(toCase),
    }),
    Query: {
      case: async (_root: unknown, args: { id: string }, ctx: SubgraphContext) => toCase(await caseById(ctx, args.id)),
      cases: async (_root: unknown, args: CaseListArgs, ctx: SubgraphContext) => {
        // A case list is one municipality's: a caller who acts for none has no list to page.
        const tenant = ctx.caller.tenant;
        if (!tenant) throw new Forbidden('case-index: a case list is of the caller\'s own municipality, and the caller acts for none', { system: 'case-index' });
        const request = readCaseListArgs(args, tenant);
        const answer = await services.caseIndex.searchCases(
          request.criteria,
          // One more than the page, to tell whether another page follows.
          { offset: request.offset, limit: request.first + 1 },
          { signal: ctx.signal, ...onBehalfOf(ctx) },
        );
        const page = pageOf(answer, request, (entry) => (ownedByCaller(ctx, entry) && meetsCriteria(entry, request.criteria) ? toCase(entry) : undefined));
        // That a case is in the answer is itself data about its parties (they have a case of
        // this subject, in this status, opened then), whichever of its fields are read.
        for (const c of page.nodes) touchedCase(ctx, c.parties, 'Query.cases');
        return {
          nodes: page.nodes,
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.consumed > 0 ? cursorFor(page.nextOffset, request.listKey) : null },
          scope: listScope(ctx),
        };
      },
      /**
       * Public: the gateway sends no token's personal grant for it, and nothing here needs one.
       * Nothing is noted in the access log either: a public paper is about no data subject, and
       * the ESDH is asked for public papers only, never for a case or a party.
       */
      publicDocuments: async (_root: unknown, args: PublicDocumentsArgs, ctx: SubgraphContext) => {
        const request = readPublicDocumentsArgs(args);
        const municipality = services.tenants().byCode.get(request.municipality);
        const system = municipality ? services.caseSystem(request.municipality) : undefined;
        if (!municipality || !system) throw new NotFound(`esdh: this graph serves no municipality ${request.municipality}`, { system: 'esdh' });
        if (!system.publicDocuments) {
          throw new NotFound(
            `esdh: municipality ${municipality.code} (${municipality.name}) does not publish documents through the graph: its case system offers no list of public documents`,
            { system: 'esdh', tenant: municipality.code },
          );
        }
        // One more than the page, to tell whether another page follows.
        const answer = await system.publicDocuments({ offset: request.offset, limit: request.first + 1 }, { signal: ctx.signal });
        return publicDocumentsPage(answer, request, municipality.name);
      },
    },
    Citizen: {
      __resolveReference: (reference: { cpr: string }) => ({ cpr: citizenReference(reference).cpr }),
      casesScope: (citizen: { cpr: string }, _args: unknown, ctx: SubgraphContext) => {
        requireOwnData(ctx, citizen.cpr, 'Citizen.casesScope');
        return listScope(ctx);
      },
      cases: async (citizen: { cpr: string }, _args: unknown, ctx: SubgraphContext) => {
        requireOwnData(ctx, citizen.cpr, 'Citizen.cases');
        const cases = (await casesOfParty(ctx, citizen.cpr)).map(toCase);
        ctx.access.touched(citizen.cpr, 'Citizen.cases', 'case-index');
        return cases;
      },
    },
    Address: {
      environmentalCases: environmentalCases('Address.environmentalCases'),
      environmentalCasesScope: (_address: unknown, _args: unknown, ctx: SubgraphContext) => listScope(ctx),
    },
    Building: {
      environmentalCases: environmentalCases('Building.environmentalCases'),
      environmentalCasesScope: (_building: unknown, _args: unknown, ctx: SubgraphContext) => listScope(ctx),
    },
    Case: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => toCase(await caseById(ctx, reference.id)),
      number: caseField('number'),
      title: caseField('title'),
      openedAt: caseField('openedAt'),
      responsibleUnit: caseField('responsibleUnit'),
      municipalityCode: caseField('municipalityCode'),
      sourceSystem: caseField('sourceSystem'),
      status: (c: CaseValue, _args: unknown, ctx: SubgraphContext) => {
        touchedCase(ctx, c.parties, 'Case.status');
        return c.status ? (STATUS[c.status] ?? null) : null;
      },
      sensitivity: (c: CaseValue, _args: unknown, ctx: SubgraphContext) => {
        touchedCase(ctx, c.parties, 'Case.sensitivity');
        return c.sensitivity ? (SENSITIVITY[c.sensitivity] ?? null) : null;
      },
      classification: async (c: CaseValue, _args: unknown, ctx: SubgraphContext) => {
        touchedCase(ctx, c.parties, 'Case.classification');
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
      procedure: (c: CaseValue, _args: unknown, ctx: SubgraphContext) => {
        // Where the case stands is read from it (its status and subject), so it is an access either way.
        touchedCase(ctx, c.parties, 'Case.procedure');
        const procedure = procedureOf(c);
        if (!procedure) return null;
        // As changeCaseStatus reads it: a case the index shows without a status has just arisen.
        const status = c.status ?? 'Opstaaet';
        const at = procedure.stepAt(status);
        return {
          id: procedure.id,
          name: procedure.name,
          classification: procedure.kle,
          steps: procedure.steps.map(toStep),
          currentStep: at ? toStep(at) : null,
          nextSteps: allowedMoves(procedure, status).map(toStep),
        };
      },
      documents: (c: CaseValue, _args: unknown, ctx: SubgraphContext): DocumentValue[] => {
        touchedCase(ctx, c.parties, 'Case.documents');
        return c.documents.map((d) => ({
          id: d.id,
          parties: c.parties.map((p) => p.cpr),
          title: d.title,
          date: d.filedAt,
          caseNumber: c.number,
          municipalityCode: c.municipalityCode,
          sourceSystem: c.sourceSystem,
        }));
      },
    },
    Document: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        // Only the case subgraph refers to documents; a bare id is looked up in the caller's
        // municipality's ESDH, or (for a caller without one) in every ESDH at once, where one
        // that is down does not stop the others from answering.
        const tenant = ctx.caller.tenant;
        const codes = tenant ? [tenant] : services.tenants().municipalities.map((m) => m.code);
        const systems = codes.map(services.caseSystem).filter((s): s is CaseSystem => s !== undefined);
        const answers = await Promise.allSettled(
          systems.map(async (system) => ({ system, d: await system.document(reference.id, { signal: ctx.signal }) })),
        );
        const found = answers.find((a) => a.status === 'fulfilled');
        if (found?.status === 'fulfilled') {
          const { system, d } = found.value;
          return { id: d.id, parties: [], title: d.title, date: d.date, caseNumber: d.caseNumber, municipalityCode: system.municipalityCode, sourceSystem: null };
        }
        const failure = answers.find((a) => a.status === 'rejected' && !(a.reason instanceof NotFound));
        throw failure?.status === 'rejected' ? failure.reason : new NotFound('esdh: no such document', { system: 'esdh' });
      },
      title: documentField('title'),
      date: documentField('date'),
      sourceSystem: documentField('sourceSystem'),
      kind: async (doc: DocumentValue, _args: unknown, ctx: SubgraphContext) => {
        const kind = (await esdhDocument(ctx, doc)).kind;
        touchedCase(ctx, doc.parties, 'Document.kind', 'esdh');
        return kind;
      },
      format: async (doc: DocumentValue, _args: unknown, ctx: SubgraphContext) => {
        const format = (await esdhDocument(ctx, doc)).format;
        touchedCase(ctx, doc.parties, 'Document.format', 'esdh');
        return format;
      },
    },
  };
}
