/**
 * Cases follow their procedure, through the graph: a case of a subject the procedure catalogue
 * describes shows its steps, the step it is at and what may follow, and a move the procedure does
 * not allow is refused in words before the ESDH is asked; a case of a subject without one says so
 * with a null procedure and moves as any case does. Reading where a case stands is on the trail.
 * A sickness report opens a sickness benefits case under its procedure, or joins the open one.
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
  stack = await startAuthedStack({ audit: { subjectKey } });
  trail = stack.trail!;
  person = sampleCitizens(stack.world).get('0101')!;
});
afterAll(() => stack?.close());

const OPEN = `mutation Open($input: OpenCaseInput!) { openCase(input: $input) { id } }`;
const MOVE = `mutation Move($id: ID!, $status: CaseStatus!) { changeCaseStatus(caseId: $id, status: $status) { id status } }`;
const WHERE = `query Where($id: ID!) { case(id: $id) { status procedure { id name classification steps { id name status } currentStep { id status } nextSteps { id status } } } }`;

const caseworker = async () => stack.bearer(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge' }));
const open = async (classification: string, title: string) => {
  const { body } = await postGraphQL(stack.gateway.url, OPEN, { input: { title, classification, parties: [{ cpr: formatCpr(person.cpr), role: 'PRIMARY' }] } }, await caseworker());
  expect(body.errors).toBeUndefined();
  return body.data!.openCase.id as string;
};
const where = async (id: string) => {
  const { body } = await postGraphQL(stack.gateway.url, WHERE, { id }, await caseworker());
  expect(body.errors).toBeUndefined();
  return body.data!.case;
};
const esdhWrites = () => stack.simulators.esdh.get('0101')!.calls.filter((c) => c.operation !== 'sag' && c.operation !== 'dokumenter');

describe('a case under its procedure', () => {
  it('a sickness benefits case (32.30.04, under the procedure for 32.30) shows the procedure, its first step and the one that may follow', async () => {
    const id = await open('32.30.04', 'Sygemelding fra arbejdsgiver');
    expect(await where(id)).toEqual({
      status: 'OPENED',
      procedure: {
        id: 'sygedagpenge',
        name: 'Sygedagpenge',
        classification: '32.30',
        steps: [
          { id: 'modtag', name: 'Modtag anmeldelse af sygefravær', status: 'OPENED' },
          { id: 'oplys', name: 'Indhent oplysninger og vurder ret til sygedagpenge', status: 'INFORMED' },
          { id: 'afgoer', name: 'Træf afgørelse om sygedagpenge', status: 'DECIDED' },
          { id: 'afslut', name: 'Afslut sagen ved raskmelding', status: 'CLOSED' },
        ],
        currentStep: { id: 'modtag', status: 'OPENED' },
        nextSteps: [{ id: 'oplys', status: 'INFORMED' }],
      },
    });
  });

  it('refuses a move the procedure does not allow, naming the allowed ones, before the ESDH is asked; allows the next step, and back again after a decision', async () => {
    const id = await open('32.30.04', 'Lægeerklæring om sygefravær');
    stack.simulators.esdh.get('0101')!.resetCalls();
    const skip = await postGraphQL(stack.gateway.url, MOVE, { id, status: 'DECIDED' }, await caseworker());
    expect(skip.body.data).toEqual({ changeCaseStatus: null });
    expect(skip.body.errors?.[0]).toMatchObject({
      message: 'The procedure "Sygedagpenge" (KLE 32.30) moves this case from "Modtag anmeldelse af sygefravær" only to INFORMED ("Indhent oplysninger og vurder ret til sygedagpenge"), not to DECIDED.',
      extensions: { code: 'BAD_USER_INPUT', allowedStatuses: ['INFORMED'] },
    });
    expect(esdhWrites()).toHaveLength(0);

    for (const status of ['INFORMED', 'DECIDED']) {
      const moved = await postGraphQL(stack.gateway.url, MOVE, { id, status }, await caseworker());
      expect(moved.body.errors).toBeUndefined();
      expect(moved.body.data?.changeCaseStatus).toEqual({ id, status });
    }
    const decided = await where(id);
    expect(decided.procedure.currentStep).toEqual({ id: 'afgoer', status: 'DECIDED' });
    expect(decided.procedure.nextSteps).toEqual([{ id: 'oplys', status: 'INFORMED' }, { id: 'afslut', status: 'CLOSED' }]);
    // Follow-up: new information after the decision, as the procedure allows.
    expect((await postGraphQL(stack.gateway.url, MOVE, { id, status: 'INFORMED' }, await caseworker())).body.data?.changeCaseStatus).toEqual({ id, status: 'INFORMED' });
    expect(esdhWrites()).toHaveLength(3);
  });

  it('at the last step nothing follows: a closed building permit case cannot be moved, and says so', async () => {
    const id = await open('02.34.02', 'Ansøgning om carport');
    for (const status of ['INFORMED', 'DECIDED', 'CLOSED']) expect((await postGraphQL(stack.gateway.url, MOVE, { id, status }, await caseworker())).body.errors).toBeUndefined();
    const closed = await where(id);
    expect(closed.procedure).toMatchObject({ id: 'byggetilladelse', classification: '02.34', currentStep: { id: 'afslut', status: 'CLOSED' }, nextSteps: [] });
    const reopen = await postGraphQL(stack.gateway.url, MOVE, { id, status: 'INFORMED' }, await caseworker());
    expect(reopen.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('no further: it is at its last step'), extensions: { code: 'BAD_USER_INPUT', allowedStatuses: [] } });
  });

  it('a case whose subject has no procedure has a null procedure and moves as any case does', async () => {
    const id = await open('32.18.04', 'Ansøgning om rollator');
    expect(await where(id)).toEqual({ status: 'OPENED', procedure: null });
    const moved = await postGraphQL(stack.gateway.url, MOVE, { id, status: 'DECIDED' }, await caseworker());
    expect(moved.body.data?.changeCaseStatus).toEqual({ id, status: 'DECIDED' });
  });

  it('reading where a case stands is recorded for its party as Case.procedure', async () => {
    const id = await open('27.36.20', 'Ansøgning om praktisk hjælp');
    const { body } = await postGraphQL(stack.gateway.url, 'query Step($id: ID!) { case(id: $id) { procedure { currentStep { name } } } }', { id }, await caseworker());
    expect(body.data?.case.procedure.currentStep).toEqual({ name: 'Modtag henvendelse om hjælp i hjemmet' });
    const records = await trail.find({ subject: subjectHash(subjectKey, person.cpr) });
    expect(records.find((r) => r.operationName === 'Step')).toMatchObject({ typeOfUse: 'read', outcome: 'ok', fields: expect.arrayContaining(['Case.procedure']), systems: expect.arrayContaining(['case-index']) });
  });
});

const REPORT = `mutation Report($input: SicknessReportInput!) { reportSickness(input: $input) { openedCase case { id status classification { number } procedure { id currentStep { id } } } document { id title date } } }`;

describe('sickness reports (sygedagpenge)', () => {
  /** An adult of København with no open sickness benefits case there, seeded or opened above. */
  const absentee = () =>
    [...stack.world.persons.values()].find(
      (p) =>
        p.municipalityCode === '0101' &&
        p.cpr !== person.cpr &&
        Number(p.birthDate.slice(0, 4)) < 2000 &&
        !(stack.world.casesByParty.get(p.cpr) ?? []).some((id) => {
          const c = stack.world.cases.get(id)!;
          return c.municipalityCode === '0101' && c.kle.number.startsWith('32.30.') && c.status !== 'Afsluttet';
        }),
    )!;
  const service = async (scope: string, claims: Record<string, unknown> = {}) => stack.bearer(await stack.mint.service(scope, claims));

  it('an employer\'s report opens a sickness benefits case under its procedure, and a doctor\'s joins it', async () => {
    const citizen = absentee();
    const esdh = stack.simulators.esdh.get('0101')!;
    esdh.resetCalls();
    const first = await postGraphQL(stack.gateway.url, REPORT, { input: { citizen: formatCpr(citizen.cpr), reporter: 'EMPLOYER', firstDayOfAbsence: '2026-11-30', reportedOn: '2026-12-01' } }, await caseworker());
    expect(first.body.errors).toBeUndefined();
    const opened = first.body.data!.reportSickness;
    expect(opened).toMatchObject({
      openedCase: true,
      case: { status: 'OPENED', classification: { number: '32.30.00' }, procedure: { id: 'sygedagpenge', currentStep: { id: 'modtag' } } },
      document: { title: 'Anmeldelse af sygefravær fra arbejdsgiver, første fraværsdag 30.11.2026', date: '2026-12-01' },
    });
    expect(esdh.callsTo('opret-sag')).toHaveLength(1);

    const second = await postGraphQL(stack.gateway.url, REPORT, { input: { citizen: formatCpr(citizen.cpr), reporter: 'DOCTOR', firstDayOfAbsence: '2026-11-30', reportedOn: '2026-12-02' } }, await service('sickness-benefits:report personal-data:read', { municipality: '0101' }));
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data!.reportSickness).toMatchObject({ openedCase: false, case: { id: opened.case.id }, document: { title: 'Anmeldelse af sygefravær fra læge, første fraværsdag 30.11.2026' } });
    expect(esdh.callsTo('opret-sag')).toHaveLength(1);
    const docs = await where(opened.case.id);
    expect(docs.procedure.currentStep).toEqual({ id: 'modtag', status: 'OPENED' });
    const { body } = await postGraphQL(stack.gateway.url, 'query($id: ID!) { case(id: $id) { documents { title } } }', { id: opened.case.id }, await caseworker());
    expect(body.data?.case.documents.map((d: { title: string }) => d.title)).toEqual([
      'Anmeldelse af sygefravær fra arbejdsgiver, første fraværsdag 30.11.2026',
      'Anmeldelse af sygefravær fra læge, første fraværsdag 30.11.2026',
    ]);

    const records = await trail.find({ subject: subjectHash(subjectKey, citizen.cpr) });
    // Each write: its intent before, its outcome after.
    expect(records.filter((r) => r.operationName === 'Report' && r.outcome === 'intent')).toHaveLength(2);
    const reports = records.filter((r) => r.operationName === 'Report' && r.outcome !== 'intent');
    expect(reports).toHaveLength(2);
    for (const r of reports) expect(r).toMatchObject({ typeOfUse: 'create', outcome: 'ok', fields: expect.arrayContaining(['Mutation.reportSickness']), systems: expect.arrayContaining(['esdh', 'case-index']) });
    expect(reports.map((r) => r.role).sort()).toEqual(['caseworker', 'service']);
  });

  it('a closed sickness benefits case is not joined: the next report opens a new one', async () => {
    const citizen = absentee();
    const input = { citizen: formatCpr(citizen.cpr), reporter: 'CITIZEN', firstDayOfAbsence: '2026-10-01', reportedOn: '2026-10-02' };
    const first = (await postGraphQL(stack.gateway.url, REPORT, { input }, await caseworker())).body.data!.reportSickness;
    for (const status of ['INFORMED', 'DECIDED', 'CLOSED']) expect((await postGraphQL(stack.gateway.url, MOVE, { id: first.case.id, status }, await caseworker())).body.errors).toBeUndefined();
    const again = (await postGraphQL(stack.gateway.url, REPORT, { input: { ...input, firstDayOfAbsence: '2026-11-20', reportedOn: '2026-11-20' } }, await caseworker())).body.data!.reportSickness;
    expect(again.openedCase).toBe(true);
    expect(again.case.id).not.toBe(first.case.id);
  });

  it('refuses a citizen, a service without the scope or without a municipality, and a first day after the report, writing nothing', async () => {
    const citizen = absentee();
    const esdh = stack.simulators.esdh.get('0101')!;
    esdh.resetCalls();
    const input = { citizen: formatCpr(citizen.cpr), reporter: 'EMPLOYER', firstDayOfAbsence: '2026-11-30', reportedOn: '2026-12-01' };
    const asCitizen = await postGraphQL(stack.gateway.url, REPORT, { input }, stack.bearer(await stack.mint.citizen(citizen.cpr)));
    expect(asCitizen.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const noScope = await postGraphQL(stack.gateway.url, REPORT, { input }, await service('personal-data:read', { municipality: '0101' }));
    expect(noScope.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('sickness-benefits:report') });
    const noMunicipality = await postGraphQL(stack.gateway.url, REPORT, { input }, await service('sickness-benefits:report personal-data:read'));
    expect(noMunicipality.body.data).toEqual({ reportSickness: null });
    expect(noMunicipality.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const early = await postGraphQL(stack.gateway.url, REPORT, { input: { ...input, firstDayOfAbsence: '2026-12-05' } }, await caseworker());
    expect(early.body.errors?.[0]).toMatchObject({ message: 'The first day of absence is after the day of the report.', extensions: { code: 'BAD_USER_INPUT' } });
    expect(esdh.calls.filter((c) => c.operation !== 'sag' && c.operation !== 'dokumenter')).toHaveLength(0);
  });
});
