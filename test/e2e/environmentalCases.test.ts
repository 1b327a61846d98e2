/**
 * A property's environmental cases through the graph (`Address.environmentalCases`,
 * `Building.environmentalCases`): a caseworker of the municipality gets exactly the world's cases
 * of KLE main group 09 about the address and about its building, oldest first, and none of the
 * building permits about them; a caseworker of another municipality gets none and learns nothing
 * of them, even from an index that answers more widely; a citizen is refused the field; every
 * party of every case answered is recorded as searched; and a property read without the field,
 * as the citizen overview reads one, costs the case index nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash, type AuditTrail } from '../../audit';
import { formatCpr } from '../../schema/scalars';
import { startLocalStack } from '../../scripts/localStack';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';
import type { Case, World } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let trail: AuditTrail;
const subjectKey = randomBytes(32);

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey } });
  trail = stack.trail!;
});
afterAll(() => stack?.close());

const PROPERTY = `query Property($id: ID!) {
  address(id: $id) {
    text
    environmentalCases { id number classification { number } parties { role citizen { cpr } } }
    environmentalCasesScope { municipalityCode limitedToMunicipality note }
    building { environmentalCases { id number } environmentalCasesScope { municipalityCode } }
  }
}`;

interface PropertyAnswer {
  address: {
    text: string;
    environmentalCases: { id: string; number: string; classification: { number: string }; parties: { role: string; citizen: { cpr: string } }[] }[] | null;
    environmentalCasesScope: { municipalityCode: string; limitedToMunicipality: boolean; note: string } | null;
    building: { environmentalCases: { id: string; number: string }[] | null; environmentalCasesScope: { municipalityCode: string } | null };
  };
}

const oldestFirst = (a: Case, b: Case) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : a.number !== b.number ? (a.number < b.number ? -1 : 1) : a.id < b.id ? -1 : 1);
/** Every case of the world about this thing, oldest first. */
const about = (world: World, id: string) => [...world.cases.values()].filter((c) => c.objects?.some((o) => o.id === id)).sort(oldestFirst);
const environmental = (cases: Case[]) => cases.filter((c) => c.kle.number.startsWith('09.'));
const buildingOf = (world: World, addressId: string) => world.units.get(world.addresses.get(addressId)!.unitId)!.buildingId;

/**
 * A København address whose own environmental cases have a citizen party, whose building has
 * environmental cases too, and whose building has a building permit besides: every rule shows.
 */
function property(world: World) {
  const addresses = [...world.addresses.values()].filter((a) => world.accessAddresses.get(a.accessAddressId)!.municipalityCode === '0101');
  const rich = addresses.find((a) => {
    const building = buildingOf(world, a.id);
    return environmental(about(world, a.id)).some((c) => c.parties.length > 0) && environmental(about(world, building)).length > 0 && about(world, building).some((c) => c.kle.number.startsWith('02.'));
  });
  const found = rich ?? addresses.find((a) => environmental(about(world, a.id)).some((c) => c.parties.length > 0) && environmental(about(world, buildingOf(world, a.id))).length > 0)!;
  return { addressId: found.id, buildingId: buildingOf(world, found.id) };
}

const caseworker = (code: string) => stack.mint.caseworker(code, { purpose: 'P-09 Miljøtilsyn' });

describe('a property\'s environmental cases', () => {
  it('answers a caseworker of the municipality exactly the world\'s 09 cases about the address and about its building, oldest first', async () => {
    const { addressId, buildingId } = property(stack.world);
    const index = stack.simulators.caseIndex;
    index.resetCalls();
    const { body } = await stack.ask<PropertyAnswer>(await caseworker('0101'), PROPERTY, { id: addressId });
    expect(body.errors).toBeUndefined();
    const answered = body.data!.address;
    const ownCases = environmental(about(stack.world, addressId));
    const buildingCases = environmental(about(stack.world, buildingId));
    expect(ownCases.length).toBeGreaterThan(0);
    expect(buildingCases.length).toBeGreaterThan(0);
    expect(answered.environmentalCases!.map((c) => c.number)).toEqual(ownCases.map((c) => c.number));
    expect(answered.environmentalCases!.every((c) => c.classification.number.startsWith('09.'))).toBe(true);
    expect(answered.environmentalCases!.flatMap((c) => c.parties.map((p) => p.citizen.cpr.replace('-', '')))).toEqual(ownCases.flatMap((c) => c.parties.map((p) => p.cpr)));
    expect(answered.building.environmentalCases!.map((c) => c.id)).toEqual(buildingCases.map((c) => c.id));
    // A building permit about the same building is no environmental case.
    const permits = about(stack.world, buildingId).filter((c) => !c.kle.number.startsWith('09.'));
    for (const permit of permits) expect(answered.building.environmentalCases!.map((c) => c.id)).not.toContain(permit.id);
    expect(answered.environmentalCasesScope).toMatchObject({ municipalityCode: '0101', limitedToMunicipality: true, note: expect.stringMatching(/^Shows only cases of municipality 0101/) });
    expect(answered.building.environmentalCasesScope).toEqual({ municipalityCode: '0101' });
    // One index call per thing, each a search by its UUID under København's AuthorityContext.
    const calls = index.callsTo('fremsoeg');
    expect(calls.map((c) => c.key).sort()).toEqual([`search:sag(genstand=${addressId})`, `search:sag(genstand=${buildingId})`].sort());
    for (const call of calls) expect(call.requestBody).toMatch(/<([\w-]+:)?MunicipalityCVR>64942212<\/([\w-]+:)?MunicipalityCVR>/);
  });

  it('answers a caseworker of another municipality no case, and nothing of the municipality\'s cases', async () => {
    const { addressId, buildingId } = property(stack.world);
    const { body, text } = await stack.ask<PropertyAnswer>(await caseworker('0751'), PROPERTY, { id: addressId });
    expect(body.errors).toBeUndefined();
    expect(body.data!.address.environmentalCases).toEqual([]);
    expect(body.data!.address.building.environmentalCases).toEqual([]);
    expect(body.data!.address.environmentalCasesScope?.municipalityCode).toBe('0751');
    for (const c of [...about(stack.world, addressId), ...about(stack.world, buildingId)]) {
      expect(text).not.toContain(c.number);
      expect(text).not.toContain(c.id);
      for (const p of c.parties) expect(text).not.toContain(formatCpr(p.cpr));
    }
  });

  it('refuses a citizen and a service the field, FORBIDDEN at its path, with no case-index call; the address itself is answered', async () => {
    const { addressId } = property(stack.world);
    const owner = environmental(about(stack.world, addressId)).find((c) => c.parties.length > 0)!.parties[0]!.cpr;
    const index = stack.simulators.caseIndex;
    index.resetCalls();
    const { body } = await stack.ask<PropertyAnswer>(await stack.mint.citizen(owner), `query Mine($id: ID!) { address(id: $id) { text environmentalCases { number } building { environmentalCases { number } } } }`, { id: addressId });
    expect(body.data?.address.text).toBe(stack.world.addresses.get(addressId)!.text);
    expect(body.data?.address.environmentalCases).toBeNull();
    const refused = (body.errors ?? []).map((e) => `${(e.path ?? []).join('.')} ${e.extensions?.['code']}`).sort();
    expect(refused).toEqual(['address.building.environmentalCases FORBIDDEN', 'address.environmentalCases FORBIDDEN']);
    // Nor may a service, whatever case scopes it holds: as the case list, the field is a caseworker's.
    const service = await stack.ask<PropertyAnswer>(await stack.mint.service('personal-data:read cases:read'), `query Service($id: ID!) { address(id: $id) { text environmentalCases { number } } }`, { id: addressId });
    expect(service.body.data?.address.environmentalCases).toBeNull();
    expect((service.body.errors ?? []).map((e) => `${(e.path ?? []).join('.')} ${e.extensions?.['code']}`)).toEqual(['address.environmentalCases FORBIDDEN']);
    expect(index.callsTo('fremsoeg')).toHaveLength(0);
  });

  it('records a search for every party of every case answered, at the field that answered it', async () => {
    const { addressId, buildingId } = property(stack.world);
    await stack.ask(await caseworker('0101'), PROPERTY, { id: addressId });
    const byField = new Map<string, Set<string>>([
      ['Address.environmentalCases', new Set(environmental(about(stack.world, addressId)).flatMap((c) => c.parties.map((p) => p.cpr)))],
      ['Building.environmentalCases', new Set(environmental(about(stack.world, buildingId)).flatMap((c) => c.parties.map((p) => p.cpr)))],
    ]);
    expect(byField.get('Address.environmentalCases')!.size).toBeGreaterThan(0);
    for (const [field, parties] of byField) {
      for (const cpr of parties) {
        const records = (await trail.find({ subject: subjectHash(subjectKey, cpr) })).filter((r) => r.operationName === 'Property');
        expect(records.at(-1), `${field} ${cpr}`).toMatchObject({ typeOfUse: 'search', outcome: 'ok', tenant: '0101', fields: expect.arrayContaining([field]), systems: expect.arrayContaining(['case-index']) });
      }
    }
  });

  it('asks the case index nothing for a property read without the field, as the citizen overview reads one', async () => {
    const { addressId } = property(stack.world);
    const owner = environmental(about(stack.world, addressId)).flatMap((c) => c.parties.map((p) => p.cpr)).find((cpr) => !stack.world.persons.get(cpr)!.addressProtected)!;
    const index = stack.simulators.caseIndex;
    index.resetCalls();
    const plain = await stack.ask(await caseworker('0101'), `query Plain($id: ID!) { address(id: $id) { text building { id yearBuilt } } }`, { id: addressId });
    expect(plain.body.errors).toBeUndefined();
    expect(index.callsTo('fremsoeg')).toHaveLength(0);
    // The owner's overview reads their address and building, and asks the index for their cases only.
    const overview = await stack.ask(await caseworker('0101'), CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(owner) });
    expect(overview.body.data?.citizen.address.id).toBe(addressId);
    expect(index.callsTo('fremsoeg').map((c) => c.key)).toEqual([`party:${owner}`]);
  });

  it('holds when the case index answers more widely than the asking municipality: the answer is checked again', { timeout: 60_000 }, async () => {
    const wide = await startLocalStack({ latencyMs: noLatency, devIdentityDir: stack.idpDir, caseIndex: { ignoreAuthorityContext: true } });
    try {
      const { addressId, buildingId } = property(wide.world);
      const authorization = `Bearer ${await wide.devIdentity!.mint({ role: 'caseworker', sub: 'kw-0751', municipality: '0751', purpose: 'P-09' })}`;
      const foreign = await postGraphQL<PropertyAnswer>(wide.gateway.url, PROPERTY, { id: addressId }, { authorization });
      expect(foreign.body.errors).toBeUndefined();
      expect(foreign.body.data?.address.environmentalCases).toEqual([]);
      expect(foreign.body.data?.address.building.environmentalCases).toEqual([]);
      for (const c of [...about(wide.world, addressId), ...about(wide.world, buildingId)]) expect(foreign.text).not.toContain(c.number);
    } finally {
      await wide.close();
    }
  });
});
