/**
 * DAR adapter: the national address register through Datafordeler's DAR REST service.
 * CPR names an address by municipality, road, house, floor and door codes; DAR gives it its id.
 * Registry data: answers are cached (shared by every tenant).
 */
import type { RegistryCache } from '../core/cache';
import { NotFound } from '../core/errors';
import type { JsonClient } from '../core/restClient';
import { isCurrentAddress, mapAddress, matchCprAddress } from './mapAddress';
import type { AddressRecord, CprAddressKey } from './types';

export type { AddressRecord, CprAddressKey } from './types';
export { isCurrentAddress, mapAddress, matchCprAddress } from './mapAddress';

export interface AddressCallOptions {
  signal?: AbortSignal;
  /** Told when DAR failed and a stale cached answer was served instead. */
  onStale?: () => void;
}

export interface AddressRegister {
  /** The address with this DAR id. Throws NotFound. */
  byId(id: string, options?: AddressCallOptions): Promise<AddressRecord>;
  /** The DAR address CPR's address key names. Throws NotFound when DAR has no such address. */
  byCprAddress(key: CprAddressKey, options?: AddressCallOptions): Promise<AddressRecord>;
}

export function createRestAddressRegister(options: { client: JsonClient; cache: RegistryCache }): AddressRegister {
  const { client, cache } = options;
  // Retired versions are dropped; an address DAR sends without identity is left out rather
  // than failing the look-up for every resident of its road.
  const list = (raw: unknown) =>
    Array.isArray(raw)
      ? raw.filter(isCurrentAddress).flatMap((a) => {
          try {
            return [mapAddress(a)];
          } catch {
            return [];
          }
        })
      : [];
  return {
    async byId(id, callOptions = {}) {
      const found = await cache.getOrLoad(`dar:adresse:${id}`, async () =>
        list(await client.get(`DAR/DAR/1/rest/adresse?Id=${encodeURIComponent(id)}&format=JSON`)),
      { ...callOptions, system: 'dar' });
      const address = found[0];
      if (!address) throw new NotFound('dar: no such address', { system: 'dar' });
      return address;
    },
    async byCprAddress(key, callOptions = {}) {
      const road = `${key.municipalityCode.padStart(4, '0')}|${key.streetCode.padStart(4, '0')}`;
      // The REST service filters by road only; one road part serves every resident on it.
      const candidates = await cache.getOrLoad(`dar:vej:${road}`, async () =>
        list(
          await client.get(
            `DAR/DAR/1/rest/adresse?Kommunekode=${encodeURIComponent(key.municipalityCode.padStart(4, '0'))}&Vejkode=${encodeURIComponent(key.streetCode.padStart(4, '0'))}&format=JSON`,
          ),
        ),
      { ...callOptions, system: 'dar' });
      const address = matchCprAddress(candidates, key);
      if (!address) throw new NotFound('dar: no address matches the CPR address', { system: 'dar' });
      return address;
    },
  };
}
