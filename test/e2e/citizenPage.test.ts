/**
 * A citizen's own page (CITIZEN_OWN_PAGE_QUERY) through the graph, as self-service asks it with a
 * citizen's token: their name, address, family, NemKonto (masked), cases with status, procedure
 * step and what comes next, documents and roles; and who looked them up (GET /audit/me) — every value as the world holds it, and not one error. Asking for
 * what is not theirs (who the other parties are) is what brings FORBIDDEN, and the page does not.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OWN_PAGE_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { nemKontoAccountOf } from '../../simulators/nemkonto/accounts';
import { DEFAULT_PROCEDURES_DIR } from '../../subgraphs/case';
import { allowedMoves, procedureFor } from '../../subgraphs/case/procedure';
import { readProcedureFolder } from '../../subgraphs/case/procedureCatalogue';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let person: Person;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey } });
  person = sampleCitizens(stack.world).get('0101')!;
  // An employer reports the citizen sick: a case under the sickness benefits procedure is theirs too.
  const caseworker = stack.bearer(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge' }));
  const reported = await postGraphQL(stack.gateway.url, 'mutation($input: SicknessReportInput!) { reportSickness(input: $input) { openedCase } }', { input: { citizen: formatCpr(person.cpr), reporter: 'EMPLOYER', firstDayOfAbsence: '2026-11-30', reportedOn: '2026-12-01' } }, caseworker);
  expect(reported.body.errors).toBeUndefined();
});
afterAll(() => stack?.close());

const asThemselves = async () => stack.bearer(await stack.mint.citizen(person.cpr));
const fullName = (cpr: string) => {
  const p = stack.world.persons.get(cpr)!;
  return expect.stringContaining(p.familyName);
};

describe('a citizen\'s own page', () => {
  it('answers everything it asks, with no error, and what it answers is theirs', async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, CITIZEN_OWN_PAGE_QUERY, { cpr: formatCpr(person.cpr) }, await asThemselves());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const page = body.data!.citizen;
    expect(page.name.full).toEqual(fullName(person.cpr));
    expect(page.address.text).toEqual(expect.any(String));
    expect(page.relations.spouse.name.full).toEqual(fullName(person.spouseCpr!));
    expect(page.relations.children.map((c: { name: { full: string } }) => c.name.full)).toHaveLength(person.childCprs.length);
    // Their NemKonto, masked to its last four digits, as NemKonto has it (or null: none).
    const account = nemKontoAccountOf(person);
    expect(page.nemKonto).toEqual(account ? { bank: { name: account.bankName }, accountNumberMasked: `******${account.accountNumber.slice(-4)}` } : null);

    const procedures = await readProcedureFolder(DEFAULT_PROCEDURES_DIR);
    const seeded = (stack.world.casesByParty.get(person.cpr) ?? []).map((id) => stack.world.cases.get(id)!);
    expect(page.cases.map((c: { number: string }) => c.number).sort()).toEqual(seeded.map((c) => c.number).sort());
    expect(page.cases.some((c: { procedure: unknown }) => c.procedure !== null)).toBe(true);
    for (const c of page.cases) {
      const kase = seeded.find((s) => s.number === c.number)!;
      expect(c.parties.map((p: { role: string }) => p.role).sort()).toEqual(kase.parties.map((p) => p.role).sort());
      expect(c.documents.map((d: { title: string }) => d.title).sort()).toEqual(kase.documentIds.map((id) => stack.world.documents.get(id)!.title).sort());
      // A case under a procedure says where it stands and what comes next; one without says null.
      const procedure = procedureFor(procedures, kase.kle.number);
      if (!procedure) expect(c.procedure).toBeNull();
      else {
        const at = procedure.stepAt(kase.status);
        expect(c.procedure).toEqual({
          name: procedure.name,
          currentStep: at ? { name: at.name } : null,
          nextSteps: allowedMoves(procedure, kase.status).map((step) => ({ name: step.name, status: expect.any(String) })),
        });
      }
    }
  });

  it('is recorded with the citizen as actor, as their own reads', async () => {
    const { headers } = await postGraphQL(stack.gateway.url, CITIZEN_OWN_PAGE_QUERY, { cpr: formatCpr(person.cpr) }, await asThemselves());
    const requestId = headers.get('x-request-id');
    const records = (await stack.trail!.find({ subject: subjectHash(subjectKey, person.cpr) })).filter((r) => r.requestId === requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ role: 'citizen', actorType: 'person', outcome: 'ok', fields: expect.arrayContaining(['Citizen.name', 'Citizen.cases', 'Case.status', 'Case.procedure']) });
  });

  it('shows them who looked them up: the caseworker\'s look-up as their municipality\'s, their own as their own', async () => {
    const caseworker = stack.bearer(await stack.mint.caseworker('0101'));
    expect((await postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', { cpr: formatCpr(person.cpr) }, caseworker)).body.errors).toBeUndefined();
    await postGraphQL(stack.gateway.url, CITIZEN_OWN_PAGE_QUERY, { cpr: formatCpr(person.cpr) }, await asThemselves());
    const response = await fetch(new URL('/audit/me', stack.gateway.url), { headers: await asThemselves() });
    expect(response.status).toBe(200);
    const { accesses } = (await response.json()) as { accesses: { organisation: string }[] };
    const organisations = accesses.map((a) => a.organisation);
    expect(organisations).toContain('Dig selv');
    expect(organisations).toContain(`${stack.world.municipalities.find((m) => m.code === '0101')!.name} Kommune`);
    expect(JSON.stringify(accesses)).not.toContain(person.cpr);
  });

  it('the noise came from asking what is not theirs: who the other parties are is FORBIDDEN, once per field asked', async () => {
    const { body } = await postGraphQL(
      stack.gateway.url,
      'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { parties { role citizen { name { full } } } } } }',
      { cpr: formatCpr(person.cpr) },
      await asThemselves(),
    );
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const e of body.errors!) expect(e).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('CaseParty.citizen') });
  });
});
