/**
 * Odense on Acadre v7, end to end: through the gateway, the case subgraph and the Acadre adapter,
 * over real SOAP to the Acadre simulator, beside Copenhagen on the demo REST ESDH. The citizen
 * overview, a case by id and every case mutation answer for Odense as for Copenhagen, with
 * Acadre's own case numbers as the index shows them, the exact SOAP traffic, and the same access
 * records on the trail; a fault and a hang of Acadre are typed partial answers; and moving Odense
 * to another vendor is an edit of its registry entry.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash, type AccessRecord, type AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Case, Person } from '../../simulators/data/world';
import { startEsdhSimulator } from '../../simulators/esdh/server';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { expectedOverview } from '../support/expectedOverview';
import { logMark, messagesSince } from '../support/logs';

const ODENSE = '0461';
const COPENHAGEN = '0101';
const ACADRE_NUMBER = /^\d{2}\/\d+$/;

let stack: AuthedStack;
let trail: AuditTrail;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({
    audit: { subjectKey },
    // Short attempts and one retry, so a hung Acadre is cut by its own deadline inside the request's
    // budget (2 × 800 ms of 3 s); not so short that a loaded machine's answer comes after it and is
    // asked again (300 ms was: the whole suite with a browser beside it saw calls repeated).
    legacy: { timeoutMs: 800, resilience: { maxRetries: 1, initialBackoffMs: 5, breakerThreshold: 10_000 } },
  });
  trail = stack.trail!;
});
afterEach(() => {
  for (const simulator of stack.allSimulators()) simulator.setFault('none');
});
afterAll(() => stack?.close());

const acadre = (): RunningSimulator => stack.simulators.esdh.get(ODENSE)!;
/** Acadre's operations since the last reset, in order: WSDL documents and the unit list (configuration, asked once) aside. */
const soapTraffic = () => acadre().calls.filter((c) => c.operation !== 'wsdl' && c.operation !== 'GetAdminUnitList').map((c) => `${c.operation} ${c.key}`);
const hash = (cpr: string) => subjectHash(subjectKey, cpr);
const caseworker = (municipality: string) => stack.mint.caseworker(municipality, { sub: `kw-${municipality}`, purpose: 'P-27 Sagsbehandling' });
const statusOf = { Opstaaet: 'OPENED', Oplyst: 'INFORMED', Afgjort: 'DECIDED', Afsluttet: 'CLOSED' } as const;

/** What an answer's records say of each subject, tenant and actor aside: what the two vendors must agree on. */
const shape = (r: AccessRecord) => ({
  subjectType: r.subjectType,
  typeOfUse: r.typeOfUse,
  outcome: r.outcome,
  fields: r.fields,
  systems: r.systems,
  cached: r.cached,
  denied: r.denied,
  operationName: r.operationName,
});

/** Asks as a caseworker of `municipality`; the records the request left, committed before its answer. */
async function asked(municipality: string, query: string, variables: Record<string, unknown>) {
  const before = (await trail.verify()).records;
  const response = await stack.ask(await caseworker(municipality), query, variables);
  return { ...response, records: (await trail.find({})).slice(before) };
}

/** A case of the municipality's sample citizen's with several parties and documents, not closed. */
function richCase(municipality: string): Case {
  const person = sampleCitizens(stack.world).get(municipality)!;
  return stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!)
    .find((c) => c.municipalityCode === municipality && c.parties.length > 1 && c.documentIds.length > 1 && c.status !== 'Afsluttet')!;
}

/** Every CPR number of a case's parties, as digits and as written, to prove an answer holds none. */
const cprsOf = (kase: Case) => kase.parties.flatMap((p) => [p.cpr, formatCpr(p.cpr)]);

describe('Odense\'s cases from Acadre, read through the graph', () => {
  it('the citizen overview is as seeded, under Acadre\'s case numbers, and asks Acadre nothing; one record per subject, as for Copenhagen', async () => {
    const person = sampleCitizens(stack.world).get(ODENSE)!;
    acadre().resetCalls();
    const { body, records } = await asked(ODENSE, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen).toEqual(expectedOverview(stack.world, person));
    const numbers = (body.data?.citizen.cases as { number: string }[]).map((c) => c.number);
    expect(numbers.length).toBeGreaterThanOrEqual(10);
    for (const number of numbers) expect(number).toMatch(ACADRE_NUMBER);
    // The overview asks nothing the index cannot answer.
    expect(acadre().calls).toEqual([]);

    const own = records.find((r) => r.subject === hash(person.cpr))!;
    expect(own).toMatchObject({
      subjectType: 'person', typeOfUse: 'read', outcome: 'ok', tenant: ODENSE, actor: `kw-${ODENSE}`, operationName: 'CitizenOverview',
      fields: [
        'Case.classification', 'Case.documents', 'Case.number', 'Case.parties', 'Case.status', 'Case.title',
        'Citizen.address', 'Citizen.birthDate', 'Citizen.cases', 'Citizen.name', 'Citizen.relations',
        'Document.date', 'Document.title', 'Query.citizen',
      ],
      systems: ['case-index', 'cpr', 'dar'],
    });
    const subjects = new Set([person.cpr, person.spouseCpr!, ...person.childCprs, ...stack.world.casesByParty.get(person.cpr)!.flatMap((id) => stack.world.cases.get(id)!.parties.map((p) => p.cpr))]);
    expect(new Set(records.map((r) => r.subject))).toEqual(new Set([...subjects].map(hash)));

    const copenhagener = sampleCitizens(stack.world).get(COPENHAGEN)!;
    const copenhagen = await asked(COPENHAGEN, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(copenhagener.cpr) });
    expect(shape(copenhagen.records.find((r) => r.subject === hash(copenhagener.cpr))!)).toEqual(shape(own));
  });

  it('document details come from Acadre over SOAP: per case its number looked up and its documents listed, once each', async () => {
    const person = sampleCitizens(stack.world).get(ODENSE)!;
    const cases = stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!);
    const query = 'query Kinds($cpr: CPR!) { citizen(cpr: $cpr) { cases { number documents { id title kind format } } } }';
    acadre().resetCalls();
    const { body, records } = await asked(ODENSE, query, { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen.cases).toEqual(
      cases.map((c) => ({
        number: c.number,
        documents: c.documentIds.map((id) => stack.world.documents.get(id)!).map((d) => ({ id: d.id, title: d.title, kind: d.kind, format: 'application/pdf' })),
      })),
    );
    const traffic = soapTraffic();
    expect(traffic.filter((t) => t.startsWith('GetCaseByCaseNumber')).sort()).toEqual(cases.map((c) => `GetCaseByCaseNumber ${c.number}`).sort());
    expect(traffic.filter((t) => t.startsWith('GetAllDocuments'))).toHaveLength(cases.length);
    expect(traffic).toHaveLength(2 * cases.length);

    expect(records.find((r) => r.subject === hash(person.cpr))).toMatchObject({
      typeOfUse: 'read', outcome: 'ok',
      fields: ['Case.documents', 'Case.number', 'Citizen.cases', 'Document.format', 'Document.kind', 'Document.title', 'Query.citizen'],
      systems: ['case-index', 'cpr', 'esdh'],
    });
    // The same question of Copenhagen's demo ESDH leaves records of the same shape.
    const copenhagener = sampleCitizens(stack.world).get(COPENHAGEN)!;
    const copenhagen = await asked(COPENHAGEN, query, { cpr: formatCpr(copenhagener.cpr) });
    expect(copenhagen.body.errors).toBeUndefined();
    expect(shape(copenhagen.records.find((r) => r.subject === hash(copenhagener.cpr))!)).toEqual(shape(records.find((r) => r.subject === hash(person.cpr))!));
  });

  it('a case by id: every field, its documents\' details from Acadre, each party recorded as Copenhagen\'s are', async () => {
    const CASE = `query OneCase($id: ID!) { case(id: $id) {
      id number title status openedAt responsibleUnit municipalityCode sourceSystem classification { number title }
      documents { id title date kind format } parties { role citizen { cpr } } } }`;
    const kase = richCase(ODENSE);
    acadre().resetCalls();
    const { body, records } = await asked(ODENSE, CASE, { id: kase.id });
    expect(body.errors).toBeUndefined();
    expect(body.data?.case).toEqual({
      id: kase.id,
      number: kase.number,
      title: kase.title,
      status: statusOf[kase.status],
      openedAt: kase.openedAt,
      responsibleUnit: kase.responsibleUnit,
      municipalityCode: ODENSE,
      sourceSystem: 'Acadre Odense',
      classification: { number: kase.kle.number, title: kase.kle.title },
      documents: kase.documentIds.map((id) => stack.world.documents.get(id)!).map((d) => ({ id: d.id, title: d.title, date: d.date, kind: d.kind, format: 'application/pdf' })),
      parties: kase.parties.map((p) => ({ role: p.role, citizen: { cpr: formatCpr(p.cpr) } })),
    });
    expect(kase.number).toMatch(ACADRE_NUMBER);
    expect(soapTraffic()).toEqual([`GetCaseByCaseNumber ${kase.number}`, expect.stringMatching(/^GetAllDocuments \d+$/)]);

    const other = richCase(COPENHAGEN);
    const copenhagen = await asked(COPENHAGEN, CASE, { id: other.id });
    expect(copenhagen.body.errors).toBeUndefined();
    const shapes = (rs: AccessRecord[]) => new Set(rs.map((r) => JSON.stringify(shape(r))));
    expect(shapes(records)).toEqual(shapes(copenhagen.records));
    expect(new Set(records.filter((r) => r.subjectType === 'person').map((r) => r.subject))).toEqual(new Set(kase.parties.map((p) => hash(p.cpr))));
    expect(records.find((r) => r.subject === hash(kase.parties[0]!.cpr))).toMatchObject({
      typeOfUse: 'read', outcome: 'ok', systems: ['case-index', 'esdh'],
      fields: [
        'Case.classification', 'Case.documents', 'Case.municipalityCode', 'Case.number', 'Case.openedAt', 'Case.parties', 'Case.responsibleUnit',
        'Case.sourceSystem', 'Case.status', 'Case.title', 'Document.date', 'Document.format', 'Document.kind', 'Document.title',
      ],
    });
    // Asked by its id: the id itself is on the trail, as the search criterion.
    expect(records.filter((r) => r.subjectType === 'criterion').map((r) => [r.fields, r.outcome])).toEqual([[['Query.case'], 'ok']]);
  });
});

describe('a caseworker of Odense works in Acadre', () => {
  const OPEN = `mutation Open($input: OpenCaseInput!) { openCase(input: $input) { id number title status responsibleUnit classification { number title } parties { role } } }`;
  const FILE = `mutation File($input: FileDocumentInput!) { fileDocument(input: $input) { id title date kind } }`;
  const MOVE = `mutation Move($id: ID!, $status: CaseStatus!) { changeCaseStatus(caseId: $id, status: $status) { id status } }`;
  const READ = 'query Read($id: ID!) { case(id: $id) { number status documents { id title kind format } } }';
  const newCase = (person: Person, title: string) => ({
    input: {
      title,
      classification: '32.18.04',
      responsibleUnit: 'Ydelsesservice',
      parties: [{ cpr: formatCpr(person.cpr), role: 'PRIMARY' }, { cpr: formatCpr(person.spouseCpr!), role: 'SECONDARY' }],
    },
  });

  /** Open, file, move on, read back: in one municipality, with the records each step left, by party. */
  async function work(municipality: string, title: string) {
    const person = sampleCitizens(stack.world).get(municipality)!;
    const opened = await asked(municipality, OPEN, newCase(person, title));
    expect(opened.body.errors).toBeUndefined();
    const kase = opened.body.data!.openCase as { id: string; number: string };
    const filed = await asked(municipality, FILE, { input: { caseId: kase.id, title: 'Lægeerklæring', kind: 'INCOMING', date: '2026-12-01' } });
    expect(filed.body.errors).toBeUndefined();
    const moved = await asked(municipality, MOVE, { id: kase.id, status: 'DECIDED' });
    expect(moved.body.errors).toBeUndefined();
    const read = await asked(municipality, READ, { id: kase.id });
    expect(read.body.errors).toBeUndefined();
    const byParty = (records: AccessRecord[]) => [person.cpr, person.spouseCpr!].map((cpr) => records.filter((r) => r.subject === hash(cpr)).map(shape));
    return {
      person,
      opened: opened.body.data!.openCase,
      filed: filed.body.data!.fileDocument,
      moved: moved.body.data!.changeCaseStatus,
      read: read.body.data!.case,
      records: { open: byParty(opened.records), file: byParty(filed.records), move: byParty(moved.records), read: byParty(read.records) },
    };
  }

  it('opens a case, files a document on it and moves it on, in Acadre: the index shows each, and the records are Copenhagen\'s', async () => {
    const kle = stack.world.kle.get('32.18.04')!;
    acadre().resetCalls();
    const odense = await work(ODENSE, 'Ansøgning om rollator');
    const yy = String(new Date().getUTCFullYear() % 100).padStart(2, '0');

    expect(odense.opened).toMatchObject({ title: 'Ansøgning om rollator', status: 'OPENED', responsibleUnit: 'Ydelsesservice', classification: { number: '32.18.04', title: kle.title }, parties: [{ role: 'PRIMARY' }, { role: 'SECONDARY' }] });
    expect(odense.opened.number).toMatch(new RegExp(`^${yy}/\\d+$`));
    // The id openCase answers is the index's: the case is found by it, and is the world's.
    const inWorld = stack.world.cases.get(odense.opened.id)!;
    expect(inWorld).toMatchObject({ number: odense.opened.number, municipalityCode: ODENSE, status: 'Afgjort', responsibleUnit: 'Ydelsesservice' });
    expect(odense.filed).toEqual({ id: inWorld.documentIds[0], title: 'Lægeerklæring', date: '2026-12-01', kind: 'INCOMING' });
    expect(odense.moved).toEqual({ id: odense.opened.id, status: 'DECIDED' });
    expect(odense.read).toEqual({ number: odense.opened.number, status: 'DECIDED', documents: [{ id: odense.filed.id, title: 'Lægeerklæring', kind: 'INCOMING', format: null }] });

    // Exactly the SOAP each step makes: contacts found by CPR (both parties are Acadre's contacts
    // already), the case made and read back; the document filed on the case found by its number
    // and read back, and its kind (asked for) from its case's document list; the case file read,
    // sent back with its new status, and read again; then the read's one lookup and one list.
    const caseFileId = String(Number(odense.opened.id.slice(-12)));
    expect(soapTraffic()).toEqual([
      `GetContactsByPublicId ${odense.person.cpr}`,
      `GetContactsByPublicId ${odense.person.spouseCpr}`,
      `CreateCase ${odense.opened.number}`,
      `GetCase ${caseFileId}`,
      `GetCaseByCaseNumber ${odense.opened.number}`,
      `CreateMainDocument ${caseFileId}`,
      `GetMainDocument ${Number(odense.filed.id.slice(-12))}`,
      `GetCaseByCaseNumber ${odense.opened.number}`,
      `GetAllDocuments ${caseFileId}`,
      `GetCaseByCaseNumber ${odense.opened.number}`,
      `UpdateCase ${caseFileId}`,
      `GetCase ${caseFileId}`,
      `GetCaseByCaseNumber ${odense.opened.number}`,
      `GetAllDocuments ${caseFileId}`,
    ]);
    expect(acadre().callsTo('CreatePerson')).toEqual([]);

    const copenhagen = await work(COPENHAGEN, 'Ansøgning om rollator');
    expect(odense.records).toEqual(copenhagen.records);
    // Each write's intent before it was made, then its outcome; for both parties.
    for (const party of odense.records.open) {
      expect(party).toEqual([
        expect.objectContaining({ typeOfUse: 'create', outcome: 'intent', fields: ['Mutation.openCase'], systems: [] }),
        expect.objectContaining({ typeOfUse: 'create', outcome: 'ok', systems: expect.arrayContaining(['esdh']) }),
      ]);
    }
    for (const party of odense.records.move) {
      expect(party.at(-1)).toMatchObject({ typeOfUse: 'update', outcome: 'ok', fields: expect.arrayContaining(['Mutation.changeCaseStatus']), systems: expect.arrayContaining(['esdh']) });
    }
  });

  it('refuses in words what the graph can tell is wrong, before Acadre is asked to write', async () => {
    const person = sampleCitizens(stack.world).get(ODENSE)!;
    const closed = stack.world.casesByParty.get(person.cpr)!.map((id) => stack.world.cases.get(id)!).find((c) => c.status === 'Afsluttet')!;
    acadre().resetCalls();
    const fileOnClosed = await asked(ODENSE, FILE, { input: { caseId: closed.id, title: 'For sent', kind: 'NOTE' } });
    expect(fileOnClosed.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const reopen = await asked(ODENSE, MOVE, { id: closed.id, status: 'INFORMED' });
    expect(reopen.body.errors?.[0]).toMatchObject({ message: 'A case cannot go from Afsluttet to Oplyst.', extensions: { code: 'BAD_USER_INPUT' } });
    expect(acadre().calls).toEqual([]);
  });
});

describe('Acadre failing', () => {
  const KINDS = 'query Kinds($cpr: CPR!) { citizen(cpr: $cpr) { cases { number documents { id title kind } } } }';
  const person = () => sampleCitizens(stack.world).get(ODENSE)!;
  const seededCases = () => stack.world.casesByParty.get(person().cpr)!.map((id) => stack.world.cases.get(id)!);
  /** The answer with Acadre's fields null: the index's numbers, ids and titles intact. */
  const withoutKinds = () => seededCases().map((c) => ({ number: c.number, documents: c.documentIds.map((id) => stack.world.documents.get(id)!).map((d) => ({ id: d.id, title: d.title, kind: null })) }));
  const kindPaths = () => seededCases().flatMap((c, i) => c.documentIds.map((_d, j) => JSON.stringify(['citizen', 'cases', i, 'documents', j, 'kind'])));
  const expectNothingLeaked = (text: string) => {
    expect(text).not.toMatch(/<|soap|Envelope|ErrorType/i);
    for (const kase of seededCases()) for (const cpr of cprsOf(kase)) expect(text).not.toContain(cpr);
  };

  it.each([
    ['fault', 'LEGACY_FAULT'],
    ['hang', 'LEGACY_TIMEOUT'],
  ] as const)('in %s mode: document kinds are null, each with a typed error (%s); nothing of Acadre\'s answer, no CPR number', async (mode, code) => {
    acadre().setFault(mode);
    const started = Date.now();
    const { body, text, records } = await asked(ODENSE, KINDS, { cpr: formatCpr(person().cpr) });
    expect(Date.now() - started).toBeLessThan(3_000 + 2_000); // not held by Acadre: the request's budget, with room for a busy machine
    expect(body.data?.citizen.cases).toEqual(withoutKinds());
    expect((body.errors ?? []).map((e) => JSON.stringify(e.path)).sort()).toEqual(kindPaths().sort());
    for (const error of body.errors ?? []) expect(error.extensions).toEqual({ code, system: 'esdh', serviceName: 'case' });
    expectNothingLeaked(text);
    expect(records.find((r) => r.subject === hash(person().cpr))).toMatchObject({ outcome: 'partial', fields: expect.not.arrayContaining(['Document.kind']) });
  });

  it.each([
    ['fault', 'LEGACY_FAULT'],
    ['hang', 'LEGACY_TIMEOUT'],
  ] as const)('in %s mode: a case is not opened, the caseworker is told %s, and the attempt is on the trail', async (mode, code) => {
    acadre().resetCalls();
    acadre().setFault(mode);
    const who = person();
    const OPEN = 'mutation Open($input: OpenCaseInput!) { openCase(input: $input) { id number } }';
    const { body, text, records } = await asked(ODENSE, OPEN, {
      input: { title: `Skrivning under ${mode}`, classification: '32.18.04', parties: [{ cpr: formatCpr(who.cpr), role: 'PRIMARY' }] },
    });
    expect(body.data).toEqual({ openCase: null });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['openCase'], extensions: { code, system: 'esdh', serviceName: 'case' } })]);
    expect(text).not.toMatch(/<|ErrorType/);
    expect(text).not.toContain(who.cpr);
    // Acadre failed at the first step, finding the party's contact: no case was made.
    expect(acadre().callsTo('CreateCase')).toEqual([]);
    expect(records.filter((r) => r.subject === hash(who.cpr)).map((r) => [r.typeOfUse, r.outcome, r.systems])).toEqual([['create', 'intent', []], ['create', 'error', ['esdh']]]);
  });
});

describe('Odense\'s vendor, changed in the registry', () => {
  type Registry = { municipalities: { code: string; esdh: Record<string, unknown> }[] };
  let demo: RunningSimulator;
  let original: string;
  beforeAll(async () => {
    original = readFileSync(stack.tenantRegistryPath, 'utf8');
    demo = await startEsdhSimulator({ world: stack.world, municipalityCode: ODENSE, latencyMs: 0 });
  });
  afterAll(async () => {
    writeFileSync(stack.tenantRegistryPath, original);
    await demo.close();
  });
  const withOdense = (esdh: Record<string, unknown>) => {
    const registry = JSON.parse(original) as Registry;
    writeFileSync(stack.tenantRegistryPath, JSON.stringify({ municipalities: registry.municipalities.map((m) => (m.code === ODENSE ? { ...m, esdh } : m)) }, null, 2));
  };
  /** Asks until `done` holds: the registry is read again on a file event, not on a timer. At most 5 s. */
  async function eventually<T>(ask: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 5_000;
    for (;;) {
      const value = await ask();
      if (done(value) || Date.now() > until) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('moves to the demo REST ESDH with an edit of its entry, and back to Acadre with another: the same answers, no restart', async () => {
    const kase = richCase(ODENSE);
    const query = 'query($id: ID!) { case(id: $id) { number documents { id kind } } }';
    const expected = { number: kase.number, documents: kase.documentIds.map((id) => ({ id, kind: stack.world.documents.get(id)!.kind })) };
    const ask = () => asked(ODENSE, query, { id: kase.id });

    withOdense({ kind: 'rest-demo', url: demo.url });
    const onDemo = await eventually(ask, () => demo.calls.length > 0);
    expect(onDemo.body).toEqual({ data: { case: expected } });
    acadre().resetCalls();
    expect((await ask()).body.data?.case).toEqual(expected);
    expect(acadre().calls).toEqual([]);

    writeFileSync(stack.tenantRegistryPath, original);
    acadre().resetCalls();
    const back = await eventually(ask, () => acadre().calls.length > 0);
    expect(back.body).toEqual({ data: { case: expected } });
  });

  it('refuses an Acadre entry that would hold its secret, naming the field, and keeps serving Odense from the one in force', async () => {
    const mark = logMark();
    try {
      const entry = (JSON.parse(original) as Registry).municipalities.find((m) => m.code === ODENSE)!.esdh;
      withOdense({ ...entry, credentials: { username: 'kommunegraf', password: 'in-the-registry' } });
      const refusals = () => messagesSince(mark, 'error').filter((l) => /registry change refused/.test(l));
      // Both readers refuse it, the gateway and the case subgraph.
      await eventually(async () => refusals().length, (n) => n >= 2);
      expect(refusals().length).toBeGreaterThanOrEqual(2);
      for (const line of refusals()) {
        expect(line).toContain('municipality 0461 at municipalities.2.esdh.credentials.password: a secret is never written in the tenant registry');
        expect(line).not.toContain('in-the-registry');
      }
      acadre().resetCalls();
      const { body } = await asked(ODENSE, 'query($id: ID!) { case(id: $id) { documents { kind } } }', { id: richCase(ODENSE).id });
      expect(body.errors).toBeUndefined();
      expect(acadre().calls.length).toBeGreaterThan(0);
    } finally {
      writeFileSync(stack.tenantRegistryPath, original);
    }
  });
});
