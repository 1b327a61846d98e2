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

/** A BBR technical installation (tekniskAnlæg): a tank, an oil burner, solar panels… */
export interface InstallationRecord {
  id: string;
  /** The building it belongs to; null for one on a plot (grund) or a land parcel (jordstykke) */
  buildingId: string | null;
  /** tek007Anlægsnummer */
  number: number | null;
  /** tek020Klassifikation */
  classificationCode: string | null;
  classificationText: string | null;
  /** tek024Etableringsår */
  yearEstablished: number | null;
  /** tek067Fabrikationsår */
  yearManufactured: number | null;
  /** tek103FabrikatOliefyr, tek104FabrikatSolcelleanlægSolvarme or tek021FabrikatType */
  manufacturer: string | null;
  /** tek037Areal, m² */
  area: number | null;
  /** tek036Rumfang */
  volume: number | null;
}
