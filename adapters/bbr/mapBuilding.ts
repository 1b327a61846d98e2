/**
 * BBR 2.4.4 Bygning and Enhed (Datafordeler BBRPublic v1 JSON) → BuildingRecord, UnitRecord.
 * Field names as the schemas spell them, Danish letters included (byg026Opførelsesår).
 */
import { LegacyBadResponse } from '../core/errors';
import { str, int, obj } from '../core/json';
import type { BuildingRecord, UnitRecord } from './types';
import { buildingUsage, unitUsage } from './usageCodes';


export function mapBuilding(raw: unknown): BuildingRecord {
  const b = obj(raw);
  const id = str(b['id_lokalId']);
  if (!id) throw new LegacyBadResponse('bbr: a bygning without id_lokalId', { system: 'bbr' });
  const usageCode = str(b['byg021BygningensAnvendelse']);
  return {
    id,
    accessAddressId: str(b['husnummer']),
    municipalityCode: str(b['kommunekode']),
    usageCode,
    usageText: usageCode ? (buildingUsage[usageCode] ?? null) : null,
    yearBuilt: int(b['byg026Opførelsesår']),
    totalArea: int(b['byg038SamletBygningsareal']),
    builtArea: int(b['byg041BebyggetAreal']),
    residentialArea: int(b['byg039BygningensSamledeBoligAreal']),
    floors: int(b['byg054AntalEtager']),
  };
}

export function mapUnit(raw: unknown): UnitRecord {
  const u = obj(raw);
  const id = str(u['id_lokalId']);
  if (!id) throw new LegacyBadResponse('bbr: an enhed without id_lokalId', { system: 'bbr' });
  const usageCode = str(u['enh020EnhedensAnvendelse']);
  return {
    id,
    buildingId: str(u['bygning']),
    addressId: str(u['adresseIdentificerer']),
    usageCode,
    usageText: usageCode ? (unitUsage[usageCode] ?? null) : null,
    area: int(u['enh026EnhedensSamledeAreal']),
    residentialArea: int(u['enh027ArealTilBeboelse']),
    rooms: int(u['enh031AntalVærelser']),
  };
}

/** BBR "Livscyklus" values of objects that no longer exist (afsluttet, historisk, fejlregistreret, henlagt). */
const RETIRED: ReadonlySet<string> = new Set(['9', '10', '11', '14']);

/** Whether a BBR object's status says it still exists. */
export function isCurrent(raw: unknown): boolean {
  const status = str(obj(raw)['status']);
  return status === null || !RETIRED.has(status);
}
