/**
 * Citizen.nemKonto through the graph, over SOAP to the NemKonto simulator: the bank and the
 * account masked to its last four digits, for a caseworker under a purpose the purpose catalogue
 * says allows payments, for a service with the scope under such a purpose, and for the citizen
 * themselves; refused at the field to any other purpose, before NemKonto is asked; recorded like
 * every personal read; NemKonto's failures are typed partial answers.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { nemKontoAccountOf } from '../../simulators/nemkonto/accounts';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

const PURPOSES = fileURLToPath(new URL('../../config/purposes.example.json', import.meta.url));
const QUERY = 'query Account($cpr: CPR!) { citizen(cpr: $cpr) { name { full } nemKonto { bank { registrationNumber name } accountNumberMasked } } }';

let stack: AuthedStack;
let person: Person;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey }, gateway: { purposesPath: PURPOSES }, legacy: { timeoutMs: 300, resilience: { maxRetries: 0, breakerThreshold: 1_000 } } });
  person = sampleCitizens(stack.world).get('0101')!;
});
afterAll(() => stack?.close());
afterEach(() => {
  stack.simulators.nemkonto.setFault('none');
  stack.simulators.nemkonto.resetCalls();
});

const ask = async (token: string, who: Person = person) => postGraphQL(stack.gateway.url, QUERY, { cpr: formatCpr(who.cpr) }, stack.bearer(token));
const expected = (who: Person) => {
  const account = nemKontoAccountOf(who)!;
  return { bank: { registrationNumber: account.registrationNumber, name: account.bankName }, accountNumberMasked: `******${account.accountNumber.slice(-4)}` };
};

describe('a NemKonto through the graph', () => {
  it('a caseworker under a purpose that allows payments (P-32) gets the bank and the masked number, and the read is recorded', async () => {
    const { body, headers } = await ask(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge' }));
    expect(body.errors).toBeUndefined();
    expect(body.data!.citizen.nemKonto).toEqual(expected(person));
    expect(JSON.stringify(body)).not.toContain(nemKontoAccountOf(person)!.accountNumber);
    const records = (await stack.trail!.find({ subject: subjectHash(subjectKey, person.cpr) })).filter((r) => r.requestId === headers.get('x-request-id'));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'ok', purpose: 'P-32 Sygedagpenge', fields: expect.arrayContaining(['Citizen.nemKonto']), systems: expect.arrayContaining(['nemkonto']) });
  });

  it('is refused at the field under a purpose that does not allow payments, before NemKonto is asked; the rest is answered', async () => {
    const { body } = await ask(await stack.mint.caseworker('0101', { purpose: 'P-27 Hjemmehjælp' }));
    expect(body.data!.citizen.name.full).toEqual(expect.any(String));
    expect(body.data!.citizen.nemKonto).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ path: ['citizen', 'nemKonto'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }), message: expect.stringContaining('a purpose that allows payments') })]);
    expect(stack.simulators.nemkonto.calls).toHaveLength(0);
  });

  it('a purpose the catalogue does not list allows nothing, and a look-alike id is not the purpose', async () => {
    for (const purpose of ['P-99 Ukendt', 'P-321 Noget andet']) {
      const { body } = await ask(await stack.mint.caseworker('0101', { purpose }));
      expect(body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    expect(stack.simulators.nemkonto.calls).toHaveLength(0);
  });

  it('the citizen sees their own, under any purpose of theirs; a service needs the scope and a purpose that allows payments', async () => {
    const own = await ask(await stack.mint.citizen(person.cpr));
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!.citizen.nemKonto).toEqual(expected(person));
    const service = await ask(await stack.mint.service('personal-data:read nemkonto:read', { purpose: 'P-36 Boligstøtte' }));
    expect(service.body.data!.citizen.nemKonto).toEqual(expected(person));
    const noScope = await ask(await stack.mint.service('personal-data:read', { purpose: 'P-36 Boligstøtte' }));
    expect(noScope.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('nemkonto:read') });
    const wrongPurpose = await ask(await stack.mint.service('personal-data:read nemkonto:read', { purpose: 'P-02 Byggesag' }));
    expect(wrongPurpose.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('a person without a NemKonto (a minor) has null, with no error', async () => {
    const minor = stack.world.persons.get(person.childCprs.find((c) => Number(stack.world.persons.get(c)!.birthDate.slice(0, 4)) > 2008)!)!;
    const { body } = await ask(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge' }), minor);
    expect(body.errors).toBeUndefined();
    expect(body.data!.citizen.nemKonto).toBeNull();
  });

  it.each([
    ['fault', 'LEGACY_FAULT'],
    ['hang', 'LEGACY_TIMEOUT'],
  ] as const)('NemKonto answering %s is %s at the field, the name still answered', async (mode, code) => {
    stack.simulators.nemkonto.setFault(mode);
    const { body } = await ask(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge' }));
    expect(body.data!.citizen.name.full).toEqual(expect.any(String));
    expect(body.data!.citizen.nemKonto).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ path: ['citizen', 'nemKonto'], extensions: expect.objectContaining({ code, system: 'nemkonto' }) })]);
  });
});
