/** A BBR building (bygning). */
export interface BuildingRecord {
  id: string;
  /** DAR husnummer id of the building's main entrance */
  accessAddressId: string | null;
  municipalityCode: string | null;
  /** byg021BygningensAnvendelse */
  usageCode: string | null;
  usageText: string | null;
  /** byg026Opførelsesår */
  yearBuilt: number | null;
  /** byg038SamletBygningsareal, m² */
  totalArea: number | null;
  /** byg041BebyggetAreal, m² */
  builtArea: number | null;
  /** byg039BygningensSamledeBoligAreal, m² */
  residentialArea: number | null;
  /** byg054AntalEtager */
  floors: number | null;
}

/** A BBR unit (enhed): a dwelling or commercial unit in a building. */
export interface UnitRecord {
  id: string;
  buildingId: string | null;
  /** DAR adresse id (adresseIdentificerer) */
  addressId: string | null;
  /** enh020EnhedensAnvendelse */
  usageCode: string | null;
  usageText: string | null;
  /** enh026EnhedensSamledeAreal, m² */
  area: number | null;
  /** enh027ArealTilBeboelse, m² */
  residentialArea: number | null;
  /** enh031AntalVærelser */
  rooms: number | null;
}
