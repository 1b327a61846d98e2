/**
 * A caseworker's work through the graph: open a case, file a document on it, move it on — in
 * their own municipality's ESDH, over its REST API. Each write is made once (never retried, also
 * when the ESDH fails or hangs), refused in words when the graph can tell it is wrong, never made
 * in another municipality, and recorded in the access trail as create or update.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash, type AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;
let person: Person;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({
    audit: { subjectKey },
    legacy: { timeoutMs: 300, resilience: { maxRetries: 2, breakerThreshold: 1_000 } },
  });
  trail = stack.trail!;
  person = sampleCitizens(stack.world).get('0101')!;
});
afterAll(() => stack?.close());

const OPEN = `mutation Open($input: OpenCaseInput!) { openCase(input: $input) { id number title status classification { number title } parties { role citizen { cpr name { full } } } } }`;
const FILE = `mutation File($input: FileDocumentInput!) { fileDocument(input: $input) { id title date kind } }`;
const MOVE = `mutation Move($id: ID!, $status: CaseStatus!) { changeCaseStatus(caseId: $id, status: $status) { id status } }`;

const as = async (municipality: string, role: 'caseworker' | 'citizen' = 'caseworker') =>
  stack.bearer(await (role === 'citizen' ? stack.mint.citizen(person.cpr) : stack.mint.caseworker(municipality, { purpose: 'P-32 Hjælpemidler' })));
const newCase = (title = 'Ansøgning om rollator') => ({
  input: { title, classification: '32.18.04', parties: [{ cpr: formatCpr(person.cpr), role: 'PRIMARY' }, { cpr: formatCpr(person.spouseCpr!), role: 'SECONDARY' }] },
});
const esdh = (code: string) => stack.simulators.esdh.get(code)!;

describe('a caseworker\'s work on cases', () => {
  it('opens a case in their municipality\'s ESDH; the index and the citizen\'s cases then show it', async () => {
    const kle = stack.world.kle.get('32.18.04')!;
    const { body } = await postGraphQL(stack.gateway.url, OPEN, newCase(), await as('0101'));
    expect(body.errors).toBeUndefined();
    const opened = body.data!.openCase;
    expect(opened).toMatchObject({ title: 'Ansøgning om rollator', status: 'OPENED', classification: { number: '32.18.04', title: kle.title } });
    expect(opened.parties).toEqual([
      { role: 'PRIMARY', citizen: { cpr: formatCpr(person.cpr), name: { full: expect.stringContaining(person.familyName) } } },
      { role: 'SECONDARY', citizen: { cpr: formatCpr(person.spouseCpr!), name: { full: expect.any(String) } } },
    ]);
    expect(esdh('0101').callsTo('opret-sag')).toHaveLength(1);
    const read = await postGraphQL(stack.gateway.url, 'query($id: ID!) { case(id: $id) { number title municipalityCode } }', { id: opened.id }, await as('0101'));
    expect(read.body.data?.case).toEqual({ number: opened.number, title: 'Ansøgning om rollator', municipalityCode: '0101' });
    const cases = await postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { id } } }', { cpr: formatCpr(person.cpr) }, await as('0101'));
    expect(cases.body.data?.citizen.cases.map((c: { id: string }) => c.id)).toContain(opened.id);
  });

  it('files a document on it and moves it on, recorded as create and update for each party', async () => {
    const opened = (await postGraphQL(stack.gateway.url, OPEN, newCase('Ansøgning om kørestol'), await as('0101'))).body.data!.openCase;
    const filed = await postGraphQL(stack.gateway.url, FILE, { input: { caseId: opened.id, title: 'Lægeerklæring', kind: 'INCOMING', date: '2026-12-01' } }, await as('0101'));
    expect(filed.body.errors).toBeUndefined();
    expect(filed.body.data?.fileDocument).toMatchObject({ title: 'Lægeerklæring', date: '2026-12-01', kind: 'INCOMING' });
    const moved = await postGraphQL(stack.gateway.url, MOVE, { id: opened.id, status: 'DECIDED' }, await as('0101'));
    expect(moved.body.data?.changeCaseStatus).toEqual({ id: opened.id, status: 'DECIDED' });
    const docs = await postGraphQL(stack.gateway.url, 'query($id: ID!) { case(id: $id) { status documents { title } } }', { id: opened.id }, await as('0101'));
    expect(docs.body.data?.case).toEqual({ status: 'DECIDED', documents: [{ title: 'Lægeerklæring' }] });

    const records = await trail.find({ subject: subjectHash(subjectKey, person.spouseCpr!) });
    const byOperation = new Map(records.map((r) => [r.operationName, r]));
    expect(byOperation.get('File')).toMatchObject({ typeOfUse: 'create', outcome: 'ok', fields: expect.arrayContaining(['Mutation.fileDocument']), systems: expect.arrayContaining(['esdh']) });
    expect(byOperation.get('Move')).toMatchObject({ typeOfUse: 'update', outcome: 'ok', fields: expect.arrayContaining(['Mutation.changeCaseStatus']) });
    expect(byOperation.get('Open')).toMatchObject({ typeOfUse: 'create', fields: expect.arrayContaining(['Mutation.openCase']) });
  });

  it('refuses in words what the graph can tell is wrong, before any write', async () => {
    esdh('0101').resetCalls();
    const badKle = await postGraphQL(stack.gateway.url, OPEN, { input: { ...newCase().input, classification: '99.99.99' } }, await as('0101'));
    expect(badKle.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/not a KLE subject/), extensions: { code: 'BAD_USER_INPUT' } });
    const noPrimary = await postGraphQL(stack.gateway.url, OPEN, { input: { ...newCase().input, parties: [{ cpr: formatCpr(person.cpr), role: 'SECONDARY' }] } }, await as('0101'));
    expect(noPrimary.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/primary party/), extensions: { code: 'BAD_USER_INPUT' } });
    const opened = (await postGraphQL(stack.gateway.url, OPEN, newCase('Til lukning'), await as('0101'))).body.data!.openCase;
    await postGraphQL(stack.gateway.url, MOVE, { id: opened.id, status: 'CLOSED' }, await as('0101'));
    esdh('0101').resetCalls();
    const reopen = await postGraphQL(stack.gateway.url, MOVE, { id: opened.id, status: 'INFORMED' }, await as('0101'));
    expect(reopen.body.errors?.[0]).toMatchObject({ message: 'A case cannot go from Afsluttet to Oplyst.', extensions: { code: 'BAD_USER_INPUT' } });
    const fileOnClosed = await postGraphQL(stack.gateway.url, FILE, { input: { caseId: opened.id, title: 'Sent', kind: 'NOTE' } }, await as('0101'));
    expect(fileOnClosed.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(esdh('0101').calls.filter((c) => c.operation !== 'sag' && c.operation !== 'dokumenter')).toHaveLength(0);
  });

  it('never writes in another municipality: a case of Aarhus is NOT_FOUND to a caseworker of København', async () => {
    const aarhusian = sampleCitizens(stack.world).get('0751')!;
    const caseId = stack.world.casesByParty.get(aarhusian.cpr)!.find((id) => stack.world.cases.get(id)!.municipalityCode === '0751')!;
    const before = stack.world.cases.get(caseId)!.status;
    for (const code of ['0101', '0751']) esdh(code).resetCalls();
    const moved = await postGraphQL(stack.gateway.url, MOVE, { id: caseId, status: 'CLOSED' }, await as('0101'));
    expect(moved.body.data).toEqual({ changeCaseStatus: null });
    expect(moved.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const filed = await postGraphQL(stack.gateway.url, FILE, { input: { caseId, title: 'x', kind: 'NOTE' } }, await as('0101'));
    expect(filed.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(esdh('0751').calls).toHaveLength(0);
    expect(stack.world.cases.get(caseId)!.status).toBe(before);
  });

  it('is for caseworkers: a citizen may not open a case, not even about themselves', async () => {
    esdh('0101').resetCalls();
    const own = { input: { ...newCase().input, parties: [{ cpr: formatCpr(person.cpr), role: 'PRIMARY' }] } };
    const { body } = await postGraphQL(stack.gateway.url, OPEN, own, await as('0101', 'citizen'));
    expect(body.data).toEqual({ openCase: null });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/Mutation\.openCase.*the role caseworker/) });
    // Naming somebody else, inside the input object, is refused before anything is planned.
    const withSpouse = await postGraphQL(stack.gateway.url, OPEN, newCase(), await as('0101', 'citizen'));
    expect(withSpouse.status).toBe(403);
    expect(withSpouse.body.errors?.[0]?.message).toMatch(/only their own data/);
    expect(esdh('0101').calls).toHaveLength(0);
  });

  it('records a write that timed out, for every party it names: it may have happened', async () => {
    const spouseRecords = async () => (await trail.find({ subject: subjectHash(subjectKey, person.spouseCpr!) })).filter((r) => r.operationName === 'Open');
    const before = (await spouseRecords()).length;
    esdh('0101').setFault('hang');
    try {
      const { body } = await postGraphQL(stack.gateway.url, OPEN, newCase('Skrivning der hænger'), await as('0101'));
      expect(body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_TIMEOUT');
    } finally {
      esdh('0101').setFault('none');
    }
    const after = await spouseRecords();
    // Its intent, recorded before the write was tried, and its outcome.
    expect(after).toHaveLength(before + 2);
    expect(after.at(-2)).toMatchObject({ typeOfUse: 'create', outcome: 'intent', fields: ['Mutation.openCase'], systems: [] });
    expect(after.at(-1)).toMatchObject({ typeOfUse: 'create', outcome: 'error', fields: expect.arrayContaining(['Mutation.openCase']), systems: ['esdh'] });
    expect(after.at(-1)!.requestId).toBe(after.at(-2)!.requestId);
  });

  it('makes a write once when the ESDH fails, and once when it hangs: never retried, reported', async () => {
    for (const [mode, code] of [['http500', 'LEGACY_UNAVAILABLE'], ['hang', 'LEGACY_TIMEOUT']] as const) {
      esdh('0101').resetCalls();
      esdh('0101').setFault(mode);
      try {
        const { body } = await postGraphQL(stack.gateway.url, OPEN, newCase(`Skrivning under ${mode}`), await as('0101'));
        expect(body.data).toEqual({ openCase: null });
        expect(body.errors?.[0]?.extensions).toMatchObject({ code, system: 'esdh' });
      } finally {
        esdh('0101').setFault('none');
      }
      // Reads are retried (maxRetries 2); this write reached the ESDH exactly once.
      expect(esdh('0101').callsTo('opret-sag'), mode).toHaveLength(1);
    }
  });

  it('makes no write while the access trail cannot record it', async () => {
    const record = trail.record;
    trail.record = async () => {
      throw new Error('the store is failing');
    };
    esdh('0101').resetCalls();
    try {
      const { status, body } = await postGraphQL(stack.gateway.url, OPEN, newCase('Uden spor'), await as('0101'));
      expect(status).toBe(503);
      expect(body.errors?.[0]?.extensions?.['code']).toBe('AUDIT_UNAVAILABLE');
      expect(esdh('0101').calls).toHaveLength(0);
    } finally {
      trail.record = record;
    }
  });
});
