/**
 * Cases follow their procedure, through the graph: a case of a subject the procedure catalogue
 * describes shows its steps, the step it is at and what may follow, and a move the procedure does
 * not allow is refused in words before the ESDH is asked; a case of a subject without one says so
 * with a null procedure and moves as any case does. Reading where a case stands is on the trail.
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
