/** The civil-registry person as the rest of the system sees it, whatever CPR service supplied it. */
export interface PersonRecord {
  /** personnummer, ten digits without the dash */
  cpr: string;
  name: { given: string | null; middle: string | null; family: string | null; full: string };
  /** ISO date (YYYY-MM-DD) */
  birthDate: string | null;
  /** CPR koen: K (female) or M (male) */
  sex: 'K' | 'M' | null;
  /** CPR status code (1 active … 90 dead) */
  status: number | null;
  /** CPR civilstand code (U, G, F, E, P, O, L, D) */
  maritalStatus: string | null;
  /** adressebeskyttelse: the address must not be disclosed to whoever may not see it */
  addressProtected: boolean;
  /** aktuelAdresse, as CPR names it: by municipality, road and house codes, not by DAR id */
  address: CprAddress | null;
  relations: {
    spouse: string | null;
    children: string[];
    mother: string | null;
    father: string | null;
    /** foraeldremyndighed: who holds custody of this person */
    custodyHolders: string[];
  };
}

/** CPR's address key: kommunekode, vejkode, husnummer, etage, sidedør, plus its display parts. */
export interface CprAddress {
  municipalityCode: string;
  municipalityCvr: string | null;
  streetCode: string;
  houseNumber: string;
  floor: string | null;
  door: string | null;
  streetName: string | null;
  postcode: string | null;
  postDistrict: string | null;
}

/**
 * Who the data consumer is on Serviceplatformen: its service agreement, user system and user. A
 * municipality with an agreement of its own calls under it; the others under the deployment's.
 */
export interface ServiceAgreement {
  serviceAgreementUuid: string;
  userSystemUuid: string;
  userUuid: string;
}

/** Serviceplatformen InvocationContext: the service agreement the call is made under. */
export interface InvocationContext {
  serviceAgreementUuid: string;
  userSystemUuid: string;
  userUuid: string;
  serviceUuid: string;
  /** Who the call is made on behalf of (max 255 chars), e.g. a caseworker's id. */
  onBehalfOfUser?: string;
}
