/**
 * DAR adapter: the national address register through Datafordeler's DAR REST service.
 * CPR names an address by municipality, road, house, floor and door codes; DAR gives it its id.
 * Registry data: answers are cached (shared by every tenant).
 */
import type { RegistryCache } from '../core/cache';
import { LegacyBadResponse, NotFound } from '../core/errors';
import type { JsonClient } from '../core/restClient';
import { isCurrentAddress, mapAddress, matchCprAddress } from './mapAddress';
import type { AddressRecord, CprAddressKey } from './types';

export type { AddressRecord, CprAddressKey } from './types';
export { isCurrentAddress, mapAddress, matchCprAddress } from './mapAddress';

export interface AddressCallOptions {
  signal?: AbortSignal;
  /** Told when DAR failed and a stale cached answer was served instead. */
  onStale?: () => void;
  /** Told when the answer came from the cache, not from a call to DAR made for it. */
  onCached?: () => void;
}

export interface AddressRegister {
  /** The address with this DAR id. Throws NotFound. */
  byId(id: string, options?: AddressCallOptions): Promise<AddressRecord>;
  /**
   * The DAR address CPR's address key names. Throws NotFound when DAR has no such address, and
   * LegacyBadResponse when the road part runs past the page limit without it.
   */
  byCprAddress(key: CprAddressKey, options?: AddressCallOptions): Promise<AddressRecord>;
}

/**
 * Datafordeler's REST services page their answers: DAR's default page size is 100 ("Anvender
 * paging. Default paging-størrelse: 100", DAR REST service description, confluence.sdfi.dk/x/NpXRAQ),
 * asked for with `page` (counted from 1: our assumption, not documented there) and `pagesize`. We
 * ask for that size explicitly: a page shorter than what we asked for is the last one, and 100 is
 * within any cap the service can have, since it is its own default.
 */
const DAR_DEFAULT_PAGE_SIZE = 100;
/** 50 pages of 100: 5,000 addresses on one road part, far more than a road part has; past it we stop. */
const DEFAULT_MAX_PAGES = 50;

export interface RestAddressRegisterOptions {
  client: JsonClient;
  cache: RegistryCache;
  /** Addresses asked for per page of a road look-up (DAR `pagesize`). @default 100 (DAR's default page size) */
  pageSize?: number;
  /** Pages of one road part read before the look-up gives up with LegacyBadResponse. @default 50 */
  maxPages?: number;
}

/** One page of a road part: the current addresses on it, and whether the service may have more. */
interface RoadPage {
  addresses: AddressRecord[];
  /** The page came back full (as many items as asked for, retired ones included): ask for the next. */
  full: boolean;
}

export function createRestAddressRegister(options: RestAddressRegisterOptions): AddressRegister {
  const { client, cache } = options;
  const pageSize = options.pageSize ?? DAR_DEFAULT_PAGE_SIZE;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
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
  // Fullness counts what the service sent, before retired versions are dropped.
  const roadPage = (raw: unknown): RoadPage => {
    // Not a list is not an empty road: it is not DAR's answer at all.
    if (!Array.isArray(raw)) throw new LegacyBadResponse('dar: the answer is not a list of addresses', { system: 'dar' });
    return { addresses: list(raw), full: raw.length >= pageSize };
  };
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
      const municipalityCode = key.municipalityCode.padStart(4, '0');
      const streetCode = key.streetCode.padStart(4, '0');
      const road = `${municipalityCode}|${streetCode}`;
      // The `adresse` method filters by road part (Kommunekode, Vejkode) but not by house number
      // text: its Husnummer parameter is the husnummer's id_lokalId (UUID), which CPR does not give
      // (DAR REST adresse input parameters; see the adresseRequest type of HelloAgent/Datafordeler
      // clients/client-datafordeler/src/services/dar/types.ts, whose DAR 2.3.4 schemas are
      // ../shared/contracts/dar; those contracts document responses only, no request parameters).
      // So we read the road part page by page and match house number, floor and door ourselves.
      // Each page is cached on its own (and served stale on its own while DAR is down); one road
      // part's pages serve every resident on it.
      for (let page = 1; page <= maxPages; page++) {
        const { addresses, full } = await cache.getOrLoad(`dar:vej:${road}:${pageSize}:${page}`, async () =>
          roadPage(
            await client.get(
              `DAR/DAR/1/rest/adresse?Kommunekode=${encodeURIComponent(municipalityCode)}&Vejkode=${encodeURIComponent(streetCode)}&page=${page}&pagesize=${pageSize}&format=JSON`,
            ),
          ),
        { ...callOptions, system: 'dar' });
        const address = matchCprAddress(addresses, key);
        if (address) return address;
        if (!full) throw new NotFound('dar: no address matches the CPR address', { system: 'dar' });
      }
      throw new LegacyBadResponse(`dar: the road part filled ${maxPages} pages without the address; the look-up stopped there`, {
        system: 'dar',
        detail: `${maxPages} pages of ${pageSize}`,
      });
    },
  };
}
