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
  // Loads run once for every caller of a key: on their own timeouts, not one caller's deadline.
  const buildings = async (query: string) => {
    const raw = await client.get(`${BASE}/bygning?${query}&format=JSON`);
    return Array.isArray(raw) ? raw.filter(isCurrent).map(mapBuilding) : [];
  };
  const first = (list: BuildingRecord[]) => {
    const building = list[0];
    if (!building) throw new NotFound('bbr: no such building', { system: 'bbr' });
    return building;
  };
  return {
    buildingByAccessAddress: async (accessAddressId, callOptions = {}) =>
      first(await cache.getOrLoad(`bbr:bygning:husnummer:${accessAddressId}`, () => buildings(`Husnummer=${encodeURIComponent(accessAddressId)}`), { ...callOptions, system: 'bbr' })),
    buildingById: async (id, callOptions = {}) =>
      first(await cache.getOrLoad(`bbr:bygning:id:${id}`, () => buildings(`Id=${encodeURIComponent(id)}`), { ...callOptions, system: 'bbr' })),
    unitById: async (id, callOptions = {}) =>
      (
        await cache.getOrLoad(`bbr:enhed:id:${id}`, async () => {
          const raw = await client.get(`${BASE}/enhed?Id=${encodeURIComponent(id)}&format=JSON`);
          return Array.isArray(raw) ? raw.filter(isCurrent).map(mapUnit) : [];
        }, { ...callOptions, system: 'bbr' })
      )[0] ?? null,
    unitsOfBuilding: (buildingId, callOptions = {}) =>
      cache.getOrLoad(`bbr:enhed:bygning:${buildingId}`, async () => {
        const raw = await client.get(`${BASE}/enhed?Bygning=${encodeURIComponent(buildingId)}&format=JSON`);
        return Array.isArray(raw) ? raw.filter(isCurrent).map(mapUnit) : [];
      }, { ...callOptions, system: 'bbr' }),
    installationsOfBuilding: (buildingId, callOptions = {}) =>
      cache.getOrLoad(`bbr:tekniskanlaeg:bygning:${buildingId}`, async () => {
        const raw = await client.get(`${BASE}/tekniskanlaeg?Bygning=${encodeURIComponent(buildingId)}&format=JSON`);
        const installations = Array.isArray(raw) ? raw.filter(isCurrent).map(mapInstallation) : [];
        // BBR promises no order; a building's installations read best by their number.
        return installations.sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity));
      }, { ...callOptions, system: 'bbr' }),
    installationById: async (id, callOptions = {}) =>
      (
        await cache.getOrLoad(`bbr:tekniskanlaeg:id:${id}`, async () => {
          const raw = await client.get(`${BASE}/tekniskanlaeg?Id=${encodeURIComponent(id)}&format=JSON`);
          return Array.isArray(raw) ? raw.filter(isCurrent).map(mapInstallation) : [];
        }, { ...callOptions, system: 'bbr' })
      )[0] ?? null,
  };
}
