/**
 * A building's technical installations (BBR tekniske anlæg) through the gateway: the world's
 * tanks, ground heat collectors and solar installations of a building, in number order, by the building and by the
 * citizen's address; a building with none has an empty list; BBR is asked once per building, and
 * not at all when the field is not asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { installationClassification } from '../../adapters/bbr/installationCodes';
import { INSTALLATION_KINDS, type TechnicalInstallation } from '../../simulators/data/installations';
import { noLatency, postGraphQL } from '../support/graphql';

const INSTALLATIONS = `query Installations($id: ID!) {
  building(id: $id) { id installations { id number classificationCode classification yearEstablished yearManufactured manufacturer area volume } }
}`;

let stack: LocalStack;
/** Buildings already asked about: BBR's answers are cached (registry data), so a call is counted on a building not asked before. */
const asked = new Set<string>();
beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
});
afterAll(() => stack.close());

const expected = (installations: readonly TechnicalInstallation[]) =>
  installations.map((i) => ({
    id: i.id,
    number: i.number,
    classificationCode: i.classificationCode,
    classification: installationClassification[i.classificationCode]!,
    yearEstablished: i.yearEstablished,
    yearManufactured: i.yearManufactured,
    manufacturer: i.manufacturer,
    area: i.area,
    volume: i.volume,
  }));

describe('technical installations', () => {
  it('are the building\'s, in number order, every kind the world has', async () => {
    const byBuilding = stack.world.installationsByBuilding!;
    const kinds = new Set([...byBuilding.values()].flat().map((i) => i.classificationCode));
    expect(kinds).toEqual(new Set(Object.values(INSTALLATION_KINDS)));
    // One building of each kind, and one with several.
    const chosen = new Set<string>();
    for (const kind of kinds) chosen.add([...byBuilding].find(([, list]) => list.some((i) => i.classificationCode === kind))![0]);
    chosen.add([...byBuilding].find(([, list]) => list.length >= 2)![0]);
    for (const buildingId of chosen) {
      asked.add(buildingId);
      const { body } = await postGraphQL(stack.gateway.url, INSTALLATIONS, { id: buildingId });
      expect(body.errors).toBeUndefined();
      expect(body.data?.building).toEqual({ id: buildingId, installations: expected(byBuilding.get(buildingId)!) });
    }
  });

  it('are an empty list for a building with none', async () => {
    const bare = [...stack.world.buildings.keys()].find((id) => !stack.world.installationsByBuilding!.has(id))!;
    const { body } = await postGraphQL(stack.gateway.url, INSTALLATIONS, { id: bare });
    expect(body.errors).toBeUndefined();
    expect(body.data?.building).toEqual({ id: bare, installations: [] });
  });

  it('are reached from where a citizen lives, BBR asked once for them, and not at all when not asked', async () => {
    const person = [...stack.world.persons.values()].find((p) => {
      if (p.addressProtected) return false;
      const access = stack.world.accessAddresses.get(stack.world.addresses.get(p.addressId)!.accessAddressId)!;
      return stack.world.installationsByBuilding!.has(access.buildingId) && !asked.has(access.buildingId);
    })!;
    const buildingId = stack.world.accessAddresses.get(stack.world.addresses.get(person.addressId)!.accessAddressId)!.buildingId;
    const query = 'query($cpr: CPR!) { citizen(cpr: $cpr) { address { building { id installations { number classificationCode } } } } }';
    stack.simulators.bbr.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, query, { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    const building = (body.data?.citizen as { address: { building: { id: string; installations: unknown[] } } }).address.building;
    expect(building.id).toBe(buildingId);
    expect(building.installations).toEqual(stack.world.installationsByBuilding!.get(buildingId)!.map((i) => ({ number: i.number, classificationCode: i.classificationCode })));
    expect(stack.simulators.bbr.callsTo('tekniskanlaeg').map((c) => c.key)).toEqual([`bygning:${buildingId}`]);

    const other = [...stack.world.buildings.keys()].find((id) => id !== buildingId)!;
    stack.simulators.bbr.resetCalls();
    const { body: plain } = await postGraphQL(stack.gateway.url, '{ building(id: "' + other + '") { id yearBuilt } }');
    expect(plain.errors).toBeUndefined();
    expect(stack.simulators.bbr.callsTo('tekniskanlaeg')).toEqual([]);
  });
});
