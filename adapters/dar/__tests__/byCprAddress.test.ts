/**
 * The CPR address look-up over real HTTP against the DAR simulator, on roads longer than one page:
 * the adapter reads page after page until it finds the address or a short page ends the road.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../simulators/core/simulator';
import { startDarSimulator } from '../../../simulators/dar/server';
import { municipalities, type AccessAddress, type Address, type World } from '../../../simulators/data/world';
import { createRegistryCache, type RegistryCache } from '../../core/cache';
import { LegacyBadResponse, NotFound } from '../../core/errors';
import { createJsonClient, type JsonClient } from '../../core/restClient';
import { createRestAddressRegister, type CprAddressKey } from '../index';

const FLOORS = ['st', '1', '2', '3', '4'] as const;
const DOORS = ['tv', 'th'] as const;
const copenhagen = municipalities.find((m) => m.code === '0101')!;
/** 25 houses of 10 flats: 250 addresses, pages of 100 → 100, 100, 50. */
const LONG_ROAD = { streetCode: '0042', houses: 25 };
/** 10 houses of 10 flats: exactly one full page of 100. */
const FULL_PAGE_ROAD = { streetCode: '0043', houses: 10 };

/** A world of two Copenhagen roads of apartment blocks, in DAR's order: house by house, floor by floor. */
function roadsWorld(): World {
  const accessAddresses = new Map<string, AccessAddress>();
  const addresses = new Map<string, Address>();
  for (const road of [LONG_ROAD, FULL_PAGE_ROAD]) {
    for (let h = 0; h < road.houses; h++) {
      const access: AccessAddress = {
        id: `husnummer-${road.streetCode}-${h}`,
        municipalityCode: copenhagen.code, streetCode: road.streetCode, streetName: `Testvej ${road.streetCode}`,
        houseNumber: String(1 + h * 2), postcode: '2200', postcodeName: 'København N', buildingId: `bygning-${road.streetCode}-${h}`,
      };
      accessAddresses.set(access.id, access);
      for (const floor of FLOORS) {
        for (const door of DOORS) {
          const id = `adresse-${road.streetCode}-${h}-${floor}-${door}`;
          addresses.set(id, { id, accessAddressId: access.id, floor, door, text: `${access.streetName} ${access.houseNumber}, ${floor}. ${door}`, unitId: `unit-${id}` });
        }
      }
    }
  }
  return {
    municipalities: [copenhagen], accessAddresses, addresses,
    buildings: new Map(), units: new Map(), persons: new Map(), cases: new Map(), documents: new Map(),
    kle: new Map(), kleGroupTitles: new Map(), casesByParty: new Map(), casesByNumber: new Map(), addressesByKey: new Map(),
  };
}

/** The CPR key of the flat on `floor` `door` in the road's house with index `house` (house number 1 + 2·index). */
const cprKey = (road: { streetCode: string }, house: number, floor = '2', door = 'th'): CprAddressKey => ({
  municipalityCode: '101', streetCode: road.streetCode.replace(/^0+/, ''), houseNumber: String(1 + house * 2), floor, door,
});

const world = roadsWorld();
let dar: RunningSimulator;
let smallDefaultDar: RunningSimulator;
let client: JsonClient;
let cache: RegistryCache;

beforeAll(async () => {
  dar = await startDarSimulator({ world });
  // A service whose own default page is smaller than the adapter's: only an explicit pagesize works.
  smallDefaultDar = await startDarSimulator({ world, defaultPageSize: 10 });
  client = createJsonClient({ system: 'dar', baseUrl: dar.url });
});
afterAll(async () => {
  await client.close();
  await Promise.all([dar.close(), smallDefaultDar.close()]);
});
beforeEach(() => {
  cache = createRegistryCache();
  dar.resetCalls();
  smallDefaultDar.resetCalls();
});
afterEach(() => cache.close());

const keys = (simulator: RunningSimulator) => simulator.calls.map((c) => `${c.operation} ${c.key}`);

describe('createRestAddressRegister().byCprAddress on roads longer than one page', () => {
  it('finds an address on the third page of a 250-address road with three calls, one per page', async () => {
    const register = createRestAddressRegister({ client, cache });
    const address = await register.byCprAddress(cprKey(LONG_ROAD, 22));
    expect([address.houseNumber, address.floor, address.door]).toEqual(['45', '2', 'th']);
    expect(keys(dar)).toEqual(['adresse vej:0101|0042', 'adresse vej:0101|0042 page:2', 'adresse vej:0101|0042 page:3']);
  });

  it('stops at the first page when the address is on it: one call, as before paging', async () => {
    const register = createRestAddressRegister({ client, cache });
    expect((await register.byCprAddress(cprKey(LONG_ROAD, 3, 'st', 'tv'))).houseNumber).toBe('7');
    expect(keys(dar)).toEqual(['adresse vej:0101|0042']);
  });

  it('answers NOT_FOUND once a short page ends the road, having read every page', async () => {
    const register = createRestAddressRegister({ client, cache });
    await expect(register.byCprAddress(cprKey(LONG_ROAD, 22, '5', 'mf'))).rejects.toBeInstanceOf(NotFound);
    expect(dar.calls).toHaveLength(3);
  });

  it('asks for the next page after a full one, and ends at the empty page after it', async () => {
    const register = createRestAddressRegister({ client, cache });
    await expect(register.byCprAddress(cprKey(FULL_PAGE_ROAD, 4, '5', 'mf'))).rejects.toBeInstanceOf(NotFound);
    expect(keys(dar)).toEqual(['adresse vej:0101|0043', 'adresse vej:0101|0043 page:2']);
  });

  it('sends its page size, so a service with a smaller default page does not end the road early', async () => {
    const smallClient = createJsonClient({ system: 'dar', baseUrl: smallDefaultDar.url });
    try {
      const register = createRestAddressRegister({ client: smallClient, cache });
      expect((await register.byCprAddress(cprKey(LONG_ROAD, 22))).houseNumber).toBe('45');
      expect(smallDefaultDar.calls).toHaveLength(3);
    } finally {
      await smallClient.close();
    }
  });

  it('gives up after its page limit with LEGACY_BAD_RESPONSE rather than reading on without end', async () => {
    const register = createRestAddressRegister({ client, cache, maxPages: 2 });
    const error = await register.byCprAddress(cprKey(LONG_ROAD, 22)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyBadResponse);
    expect((error as LegacyBadResponse).code).toBe('LEGACY_BAD_RESPONSE');
    expect((error as LegacyBadResponse).system).toBe('dar');
    expect(dar.calls).toHaveLength(2);
  });

  it('serves every page it has read from cache: a second look-up on the road makes no call', async () => {
    const register = createRestAddressRegister({ client, cache });
    await register.byCprAddress(cprKey(LONG_ROAD, 22));
    dar.resetCalls();
    expect((await register.byCprAddress(cprKey(LONG_ROAD, 22))).houseNumber).toBe('45');
    expect((await register.byCprAddress(cprKey(LONG_ROAD, 12, '4', 'tv'))).houseNumber).toBe('25');
    expect(dar.calls).toHaveLength(0);
  });

  it('reads the road with a smaller page size when told to, one call per page', async () => {
    const register = createRestAddressRegister({ client, cache, pageSize: 30 });
    // House index 22 holds addresses 221–230 of the road: the eighth page of 30.
    expect((await register.byCprAddress(cprKey(LONG_ROAD, 22))).houseNumber).toBe('45');
    expect(dar.calls).toHaveLength(8);
  });
});
