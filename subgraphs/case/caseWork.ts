/**
 * The case subgraph's mutations: a caseworker's work in their own municipality's ESDH. Each
 * write goes to that ESDH once (never retried: see adapters/core/resilience.ts), after the
 * graph's own checks, so a caseworker hears why a write is refused (BAD_USER_INPUT) rather than
 * a bare legacy fault.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { CaseIndexEntry } from '../../adapters/case-index';
import { Forbidden, NotFound } from '../../adapters/core/errors';
import type { CaseSystem, EsdhCaseStatus, NewDocumentInput } from '../../adapters/esdh';
import type { Classification } from '../../adapters/kle';
import type { Tenants } from '../../runtime/tenantRegistry';
import type { SubgraphContext } from '../shared/subgraphServer';
import { allowedMoves, type Procedure } from './procedure';

/** The graph's CaseStatus values a caseworker may move a case to, as ESDH status codes. */
const ESDH_STATUS: Readonly<Record<string, EsdhCaseStatus>> = { OPENED: 'Opstaaet', INFORMED: 'Oplyst', DECIDED: 'Afgjort', CLOSED: 'Afsluttet' };
const GRAPH_STATUS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ESDH_STATUS).map(([graph, esdh]) => [esdh, graph]));
/** Where a case may go from each status (FremdriftStatusKode); a decided case may be informed again. */
const NEXT: Readonly<Record<string, readonly EsdhCaseStatus[]>> = {
  Opstaaet: ['Oplyst', 'Afgjort', 'Afsluttet'],
  Oplyst: ['Afgjort', 'Afsluttet'],
  Afgjort: ['Oplyst', 'Afsluttet'],
  Afsluttet: [],
};

export interface CaseWorkDeps<CaseValue, DocumentValue> {
  classification: Classification;
  tenants: () => Tenants;
  caseSystem: (municipalityCode: string) => CaseSystem | undefined;
  /** The case by id, as the index shows it to this caller (NOT_FOUND for another municipality's). */
  caseById: (ctx: SubgraphContext, id: string) => Promise<CaseValue>;
  toCase: (entry: CaseIndexEntry) => CaseValue;
  toDocument: (kase: CaseValue, document: { id: string; title: string | null; date: string | null }) => DocumentValue;
  /** The procedure the case follows, from the catalogue in force; none when its subject has none. */
  procedureOf: (kase: CaseValue) => Procedure | undefined;
  /** The cases in which the citizen is a party, as the index shows them to this caller. */
  casesOfParty: (ctx: SubgraphContext, cpr: string) => Promise<CaseValue[]>;
}

/** A sickness benefits case (sygedagpengesag) is one of KLE group 32.30, Dagpenge ved sygdom og barsel. */
const SICKNESS_BENEFITS_GROUP = '32.30';
/** The subject a case opened for a sickness report gets: 32.30.00, the group's subject "i almindelighed". */
const SICKNESS_BENEFITS_SUBJECT = '32.30.00';
const REPORTER: Readonly<Record<string, string>> = { EMPLOYER: 'arbejdsgiver', DOCTOR: 'læge', CITIZEN: 'borgeren' };
const danishDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

const badInput = (message: string, extensions: Record<string, unknown> = {}) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });

/**
 * The key the case system keeps for one write: the client's Idempotency-Key (gateway/idempotency.ts)
 * scoped to the municipality, the actor and the step, so two callers' keys never meet and one
 * request's two writes (reportSickness: open, then file) are two. None without a client key; a
 * system that keeps no keys is refused the write before it is made, rather than made twice later.
 */
function writeKey(ctx: SubgraphContext, system: CaseSystem, step: string): { idempotencyKey?: string } {
  const key = ctx.caller.idempotencyKey;
  if (!key) return {};
  if (!system.idempotentWrites) {
    throw badInput(`The case system of municipality ${system.municipalityCode} cannot recognise a repeated write: send it without an Idempotency-Key, and look at the case before sending it again.`);
  }
  return { idempotencyKey: createHash('sha256').update(JSON.stringify([system.municipalityCode, ctx.caller.actor, step, key])).digest('hex') };
}

export function caseWorkResolvers<CaseValue extends CaseIndexEntry & { municipalityCode: string | null }, DocumentValue>(deps: CaseWorkDeps<CaseValue, DocumentValue>) {
  /** The caller's municipality and its ESDH: writes are made in one's own municipality only. */
  const ownSystem = (ctx: SubgraphContext): { tenant: string; system: CaseSystem } => {
    const tenant = ctx.caller.tenant;
    const system = tenant ? deps.caseSystem(tenant) : undefined;
    if (!tenant || !system) throw new Forbidden('esdh: the caller\'s municipality has no case system in this deployment', { system: 'esdh', ...(tenant ? { tenant } : {}) });
    return { tenant, system };
  };
  /** A case of the caller's own municipality, or NOT_FOUND: another municipality's case is not there for them. */
  const ownCase = async (ctx: SubgraphContext, caseId: string) => {
    const { tenant, system } = ownSystem(ctx);
    const kase = await deps.caseById(ctx, caseId);
    if (kase.municipalityCode !== tenant) throw new NotFound('case-index: no such case', { system: 'case-index', tenant });
    return { kase, system };
  };
  const noteWrite = (ctx: SubgraphContext, parties: readonly { cpr: string }[], coordinate: string) => {
    for (const p of parties) ctx.access.touched(p.cpr, coordinate, 'esdh');
  };

  /** Opens a case in the caller's municipality's ESDH, once, after the graph's own checks; `coordinate` is what the trail records. */
  const openOwnCase = async (
    ctx: SubgraphContext,
    input: { title: string; classification: string; parties: { cpr: string; role: string }[]; responsibleUnit?: string | null },
    coordinate: string,
  ): Promise<CaseValue> => {
    const { tenant, system } = ownSystem(ctx);
    if (!input.title.trim()) throw badInput('A case needs a title.');
    if (!input.parties.some((p) => p.role === 'PRIMARY')) throw badInput('A case needs a primary party.');
    const subject = await deps.classification.subject(input.classification, { signal: ctx.signal });
    if (!subject) throw badInput(`${input.classification.slice(0, 20)} is not a KLE subject number (emnenummer, e.g. 32.18.04).`);
    const parties = input.parties.map((p) => ({ cpr: p.cpr, role: p.role === 'PRIMARY' ? ('PRIMARY' as const) : ('SECONDARY' as const) }));
    // Noted before the write: one that times out may have happened, and is an access either way.
    noteWrite(ctx, parties, coordinate);
    const record = await system.openCase(
      { title: input.title.trim(), kle: subject.number, parties, ...(input.responsibleUnit ? { responsibleUnit: input.responsibleUnit } : {}) },
      { signal: ctx.signal, ...writeKey(ctx, system, `${coordinate}#open`) },
    );
    // Built from the ESDH's answer: the national index learns of the case from the ESDH, maybe later.
    return deps.toCase({
      id: record.id,
      number: record.number,
      title: record.title,
      status: (record.status as CaseIndexEntry['status']) ?? 'Opstaaet',
      openedAt: record.openedAt,
      classification: record.classification ?? { number: subject.number, title: subject.title },
      sensitivity: null,
      responsibleUnit: record.responsibleUnit,
      ownerCvr: deps.tenants().byCode.get(tenant)?.cvr ?? null,
      sourceSystem: null,
      parties,
      documents: [],
    });
  };

  /** Files a document on a case of the caller's own municipality, once; `coordinate` is what the trail records. */
  const fileOnOwnCase = async (ctx: SubgraphContext, kase: CaseValue, system: CaseSystem, input: { title: string; kind: string; date?: string | null }, coordinate: string): Promise<DocumentValue> => {
    if (!input.title.trim()) throw badInput('A document needs a title.');
    if (kase.status === 'Afsluttet') throw badInput('The case is closed: documents are filed on open cases.');
    const kind: NewDocumentInput['kind'] = input.kind === 'INCOMING' || input.kind === 'OUTGOING' ? input.kind : 'NOTE';
    noteWrite(ctx, kase.parties, coordinate);
    const record = await system.fileDocument(kase.number, { title: input.title.trim(), kind, date: input.date ?? new Date().toISOString().slice(0, 10) }, { signal: ctx.signal, ...writeKey(ctx, system, `${coordinate}#file`) });
    return deps.toDocument(kase, { id: record.id, title: record.title, date: record.date });
  };

  return {
    openCase: (_root: unknown, { input }: { input: Parameters<typeof openOwnCase>[1] }, ctx: SubgraphContext): Promise<CaseValue> => openOwnCase(ctx, input, 'Mutation.openCase'),

    fileDocument: async (
      _root: unknown,
      { input }: { input: { caseId: string; title: string; kind: string; date?: string | null } },
      ctx: SubgraphContext,
    ): Promise<DocumentValue> => {
      if (!input.title.trim()) throw badInput('A document needs a title.');
      const { kase, system } = await ownCase(ctx, input.caseId);
      return fileOnOwnCase(ctx, kase, system, input, 'Mutation.fileDocument');
    },

    /**
     * A sickness report lands on the citizen's open sickness benefits case in the caller's
     * municipality, the most recently opened if there are several, or on one opened for it. Two
     * reports for one citizen arriving at the same moment could both open a case: the index is
     * asked, not locked.
     */
    reportSickness: async (
      _root: unknown,
      { input }: { input: { citizen: string; reporter: string; firstDayOfAbsence: string; reportedOn?: string | null } },
      ctx: SubgraphContext,
    ): Promise<{ case: CaseValue; document: DocumentValue; openedCase: boolean }> => {
      const { tenant, system } = ownSystem(ctx);
      const reportedOn = input.reportedOn ?? new Date().toISOString().slice(0, 10);
      if (input.firstDayOfAbsence > reportedOn) throw badInput('The first day of absence is after the day of the report.');
      ctx.access.touched(input.citizen, 'Mutation.reportSickness', 'case-index');
      const open = (await deps.casesOfParty(ctx, input.citizen))
        .filter((c) => c.municipalityCode === tenant && c.status !== 'Afsluttet' && c.classification?.number?.startsWith(`${SICKNESS_BENEFITS_GROUP}.`))
        .filter((c) => c.parties.some((p) => p.cpr === input.citizen && p.role === 'PRIMARY'))
        .sort((a, b) => (b.openedAt ?? '').localeCompare(a.openedAt ?? ''));
      const existing = open[0];
      const kase = existing ?? (await openOwnCase(ctx, { title: 'Sygedagpenge', classification: SICKNESS_BENEFITS_SUBJECT, parties: [{ cpr: input.citizen, role: 'PRIMARY' }] }, 'Mutation.reportSickness'));
      const title = `Anmeldelse af sygefravær fra ${REPORTER[input.reporter] ?? 'ukendt anmelder'}, første fraværsdag ${danishDate(input.firstDayOfAbsence)}`;
      const document = await fileOnOwnCase(ctx, kase, system, { title, kind: 'INCOMING', date: reportedOn }, 'Mutation.reportSickness');
      return { case: kase, document, openedCase: existing === undefined };
    },

    changeCaseStatus: async (_root: unknown, { caseId, status }: { caseId: string; status: string }, ctx: SubgraphContext): Promise<CaseValue> => {
      const to = ESDH_STATUS[status];
      if (!to) throw badInput(`A caseworker moves a case to OPENED, INFORMED, DECIDED or CLOSED, not ${status}.`);
      const { kase, system } = await ownCase(ctx, caseId);
      const from = kase.status ?? 'Opstaaet';
      const procedure = deps.procedureOf(kase);
      if (procedure) {
        // The procedure is the rule for its cases: the general order below does not apply to them.
        const allowed = allowedMoves(procedure, from);
        if (from !== to && !allowed.some((step) => step.caseStatus === to)) {
          const at = procedure.stepAt(from);
          const options = allowed.map((step) => `${GRAPH_STATUS[step.caseStatus]} ("${step.name}")`);
          throw badInput(
            `The procedure "${procedure.name}" (KLE ${procedure.kle}) moves this case from ${at ? `"${at.name}"` : from} ${options.length > 0 ? `only to ${options.join(' or ')}` : 'no further: it is at its last step'}, not to ${status}.`,
            { allowedStatuses: allowed.map((step) => GRAPH_STATUS[step.caseStatus]) },
          );
        }
      } else if (from !== to && !(NEXT[from] ?? []).includes(to)) throw badInput(`A case cannot go from ${from} to ${to}.`);
      noteWrite(ctx, kase.parties, 'Mutation.changeCaseStatus');
      const record = await system.changeStatus(kase.number, to, { signal: ctx.signal, ...writeKey(ctx, system, 'Mutation.changeCaseStatus') });
      return { ...kase, status: (record.status as CaseIndexEntry['status']) ?? to };
    },
  };
}
