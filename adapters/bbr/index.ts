/**
 * BBR adapter: the building and dwelling register through Datafordeler BBRPublic v1 (REST).
 * Registry data: answers are cached (shared by every tenant).
 */
import type { RegistryCache } from '../core/cache';
import { NotFound } from '../core/errors';
import type { JsonClient } from '../core/restClient';
import { isCurrent, mapBuilding, mapUnit } from './mapBuilding';
import { mapInstallation } from './mapInstallation';
import type { BuildingRecord, InstallationRecord, UnitRecord } from './types';

export type { BuildingRecord, InstallationRecord, UnitRecord } from './types';
export { mapBuilding, mapUnit } from './mapBuilding';
export { mapInstallation } from './mapInstallation';

export interface BuildingCallOptions {
  signal?: AbortSignal;
  /** Told when BBR failed and a stale cached answer was served instead. */
  onStale?: () => void;
  /** Told when the answer came from the cache, not from a call to BBR made for it. */
  onCached?: () => void;
}

export interface BuildingRegister {
  /** The building reached through this DAR husnummer (access address). Throws NotFound. */
  buildingByAccessAddress(accessAddressId: string, options?: BuildingCallOptions): Promise<BuildingRecord>;
  /** The building with this BBR id. Throws NotFound. */
  buildingById(id: string, options?: BuildingCallOptions): Promise<BuildingRecord>;
  /** The unit with this BBR id, or null. */
  unitById(id: string, options?: BuildingCallOptions): Promise<UnitRecord | null>;
  /** The units of a building (empty when it has none). */
  unitsOfBuilding(buildingId: string, options?: BuildingCallOptions): Promise<UnitRecord[]>;
  /** The technical installations (tekniske anlæg) of a building, in number order (empty when it has none). */
  installationsOfBuilding(buildingId: string, options?: BuildingCallOptions): Promise<InstallationRecord[]>;
  /** The technical installation with this BBR id, or null. */
  installationById(id: string, options?: BuildingCallOptions): Promise<InstallationRecord | null>;
}

const BASE = 'BBR/BBRPublic/1/rest';

export function createRestBuildingRegister(options: { client: JsonClient; cache: RegistryCache }): BuildingRegister {
  const { client, cache } = options;
  /** The records BBR answers for `resource?query` that still exist, mapped. */
  const current = async <T>(resource: string, query: string, map: (raw: unknown) => T): Promise<T[]> => {
    const raw = await client.get(`${BASE}/${resource}?${query}&format=JSON`);
    return Array.isArray(raw) ? raw.filter(isCurrent).map(map) : [];
  };
  // Loads run once for every caller of a key: on their own timeouts, not one caller's deadline.
  const read = <T>(key: string, load: () => Promise<T>, callOptions: BuildingCallOptions) => cache.getOrLoad(key, load, { ...callOptions, system: 'bbr' });
  const first = (list: BuildingRecord[]) => {
    const building = list[0];
    if (!building) throw new NotFound('bbr: no such building', { system: 'bbr' });
    return building;
  };
  const by = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;
  return {
    buildingByAccessAddress: async (accessAddressId, callOptions = {}) =>
      first(await read(`bbr:bygning:husnummer:${accessAddressId}`, () => current('bygning', by('Husnummer', accessAddressId), mapBuilding), callOptions)),
    buildingById: async (id, callOptions = {}) => first(await read(`bbr:bygning:id:${id}`, () => current('bygning', by('Id', id), mapBuilding), callOptions)),
    unitById: async (id, callOptions = {}) => (await read(`bbr:enhed:id:${id}`, () => current('enhed', by('Id', id), mapUnit), callOptions))[0] ?? null,
    unitsOfBuilding: (buildingId, callOptions = {}) => read(`bbr:enhed:bygning:${buildingId}`, () => current('enhed', by('Bygning', buildingId), mapUnit), callOptions),
    installationsOfBuilding: (buildingId, callOptions = {}) =>
      read(
        `bbr:tekniskanlaeg:bygning:${buildingId}`,
        // BBR promises no order; a building's installations read best by their number.
        async () => (await current('tekniskanlaeg', by('Bygning', buildingId), mapInstallation)).sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity)),
        callOptions,
      ),
    installationById: async (id, callOptions = {}) => (await read(`bbr:tekniskanlaeg:id:${id}`, () => current('tekniskanlaeg', by('Id', id), mapInstallation), callOptions))[0] ?? null,
  };
}
