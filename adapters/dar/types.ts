/** A DAR address (adresse): an access address plus floor and door. */
export interface AddressRecord {
  /** Adresse id_lokalId */
  id: string;
  /** adressebetegnelse */
  text: string;
  /** Husnummer id_lokalId (the access address; BBR's `husnummer`) */
  accessAddressId: string;
  houseNumber: string | null;
  /** etagebetegnelse, null when the address has none */
  floor: string | null;
  /** dørbetegnelse, null when the address has none */
  door: string | null;
  streetName: string | null;
  streetCode: string | null;
  postcode: string | null;
  postcodeName: string | null;
  municipality: { code: string; name: string | null } | null;
  /** BBR bygning id the access address leads to */
  buildingId: string | null;
}

/** The address key CPR gives: kommunekode, vejkode, husnummer, etage, sidedør. */
export interface CprAddressKey {
  municipalityCode: string;
  streetCode: string;
  houseNumber: string;
  floor: string | null;
  door: string | null;
}
