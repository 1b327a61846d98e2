/**
 * DAR 2.3.4 Adresse (REST JSON, nested form) → AddressRecord.
 * Reads adressebetegnelse, etagebetegnelse, dørbetegnelse and the nested husnummer
 * (husnummertekst, navngivenVej/navngivenVejKommunedelList, kommuneinddeling, postnummer).
 */
import { LegacyBadResponse } from '../core/errors';
import { str, obj } from '../core/json';
import type { AddressRecord, CprAddressKey } from './types';



export function mapAddress(raw: unknown): AddressRecord {
  const address = obj(raw);
  const id = str(address['id_lokalId']);
  if (!id) throw new LegacyBadResponse('dar: an adresse without id_lokalId', { system: 'dar' });
  const husnummer = obj(address['husnummer']);
  const municipality = obj(husnummer['kommuneinddeling']);
  const municipalityCode = str(municipality['kommunekode']);
  const road = obj(husnummer['navngivenVej']);
  const roadParts = Array.isArray(road['navngivenVejKommunedelList']) ? (road['navngivenVejKommunedelList'] as unknown[]) : [];
  // A road crossing a municipal border has one vejkode per municipality: take this one's.
  const roadPart = roadParts.map((p) => obj(obj(p)['navngivenVejKommunedel'])).find((p) => str(p['kommune']) === municipalityCode);
  const postcode = obj(husnummer['postnummer']);
  return {
    id,
    text: str(address['adressebetegnelse']) ?? '',
    accessAddressId: str(husnummer['id_lokalId']) ?? '',
    houseNumber: str(husnummer['husnummertekst']),
    floor: str(address['etagebetegnelse']),
    door: str(address['dørbetegnelse']),
    streetName: str(road['vejnavn']),
    streetCode: roadPart ? str(roadPart['vejkode']) : null,
    postcode: str(postcode['postnr']),
    postcodeName: str(postcode['navn']),
    municipality: municipalityCode ? { code: municipalityCode, name: str(municipality['navn']) } : null,
    buildingId: str(husnummer['adgangTilBygning']) ?? str(address['bygning']),
  };
}

/** DAR status "2" foreløbig and "3" gældende are addresses in use; "4" nedlagt and "5" henlagt are not. */
const IN_USE: ReadonlySet<string> = new Set(['2', '3']);

/** Whether an Adresse version is in use now: a live status and no end of virkning passed. */
export function isCurrentAddress(raw: unknown): boolean {
  const address = obj(raw);
  const status = str(address['status']);
  const until = str(address['virkningTil']);
  return (status === null || IN_USE.has(status)) && (until === null || Date.parse(until) > Date.now());
}

/**
 * The address among `candidates` (one road part's addresses) that CPR's key names. House
 * numbers, floors and doors compare case-insensitively; CPR and DAR write "st" alike, and a
 * missing floor or door is "" in DAR and absent in CPR.
 */
export function matchCprAddress(candidates: readonly AddressRecord[], key: CprAddressKey): AddressRecord | undefined {
  const norm = (value: string | null | undefined) => (value ?? '').trim().toLowerCase().replace(/^0+(?=\d)/, '');
  return candidates.find(
    (c) =>
      norm(c.houseNumber) === norm(key.houseNumber) &&
      norm(c.floor) === norm(key.floor) &&
      norm(c.door) === norm(key.door),
  );
}
