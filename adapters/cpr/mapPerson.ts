/**
 * SF1520 PersonLookupResponse → PersonRecord.
 * Reads persondataType (navn, foedselsdato, koen, status, civilstand, adressebeskyttelse),
 * adressedataType/aktuelAdresse and relationerType (aegtefaelle, barn, mor, far,
 * foraeldremyndighed) from PersonBaseDataExtendedServiceTypes.xsd.
 */
import { LegacyBadResponse } from '../core/errors';
import { listAt, parseXml, pathOf, textAt, type XmlNode } from '../core/xml';
import type { CprAddress, PersonRecord } from './types';

export function mapPerson(responseXml: string): PersonRecord {
  const document = parseXml(responseXml);
  const response = document ? pathOf(document, ['Envelope', 'Body', 'PersonLookupResponse']) : undefined;
  const data = response ? pathOf(response, ['persondata']) : undefined;
  const cpr = data ? textAt(data, ['personnummer']) : undefined;
  if (!response || !data || !cpr) {
    throw new LegacyBadResponse('cpr: PersonLookupResponse without persondata/personnummer', { system: 'cpr' });
  }
  const given = textAt(data, ['navn', 'fornavn']) ?? null;
  const middle = textAt(data, ['navn', 'mellemnavn']) ?? null;
  const family = textAt(data, ['navn', 'efternavn']) ?? null;
  const addressingName = textAt(data, ['navn', 'personadresseringsnavn']);
  const full = [given, middle, family].filter(Boolean).join(' ') || fromAddressingName(addressingName);
  const sex = textAt(data, ['koen']);
  const status = textAt(data, ['status', 'status']);
  const relations = pathOf(response, ['relationer']);

  return {
    cpr,
    name: { given, middle, family, full },
    birthDate: textAt(data, ['foedselsdato', 'dato'])?.slice(0, 10) ?? null,
    sex: sex === 'K' || sex === 'M' ? sex : null,
    status: status ? Number(status) : null,
    maritalStatus: textAt(data, ['civilstand', 'civilstand']) ?? null,
    addressProtected: isProtected(pathOf(data, ['adressebeskyttelse'])),
    address: mapAddress(pathOf(response, ['adresse', 'aktuelAdresse'])),
    relations: {
      spouse: relations ? (textAt(relations, ['aegtefaelle', 'personnummer']) ?? null) : null,
      children: relations ? listAt(relations, ['barn']).map((b) => textAt(b, ['personnummer'])).filter(isString) : [],
      mother: relations ? (textAt(relations, ['mor', 'personnummer']) ?? null) : null,
      father: relations ? (textAt(relations, ['far', 'personnummer']) ?? null) : null,
      custodyHolders: relations
        ? listAt(relations, ['foraeldremyndighed'])
            .filter((f) => !hasEnded(textAt(f, ['foraeldremyndighedSletdato'])))
            .map((f) => textAt(f, ['relationPersonnummer']))
            .filter(isString)
        : [],
    },
  };
}

function mapAddress(address: XmlNode | undefined): CprAddress | null {
  if (!address) return null;
  const municipalityCode = textAt(address, ['kommunekode']);
  const streetCode = textAt(address, ['vejkode']);
  const houseNumber = textAt(address, ['husnummer']);
  if (!municipalityCode || !streetCode || !houseNumber) return null;
  return {
    // xsd:integer in the contract: "101" and "0101" are the same code, DAR writes four digits
    municipalityCode: municipalityCode.padStart(4, '0'),
    municipalityCvr: textAt(address, ['kommuneCvr']) ?? null,
    streetCode: streetCode.padStart(4, '0'),
    houseNumber: houseNumber.trim(),
    floor: textAt(address, ['etage'])?.trim() || null,
    door: textAt(address, ['sidedoer'])?.trim() || null,
    streetName: textAt(address, ['vejnavn']) ?? null,
    postcode: textAt(address, ['postnummer']) ?? null,
    postDistrict: textAt(address, ['postdistrikt']) ?? null,
  };
}

/**
 * adressebeskyttelse (beskyttelseType): `beskyttet` is an xsd:boolean ("true" or "1"), in force
 * from `startdato` until `slutdato` when those are given.
 */
function isProtected(protection: XmlNode | undefined): boolean {
  if (!protection) return false;
  const flag = textAt(protection, ['beskyttet']);
  if (flag !== 'true' && flag !== '1') return false;
  const start = textAt(protection, ['startdato']);
  if (start && Date.parse(start) > Date.now()) return false;
  return !hasEnded(textAt(protection, ['slutdato']));
}

function hasEnded(date: string | undefined): boolean {
  return date !== undefined && date !== '' && Date.parse(date) <= Date.now();
}

/** personadresseringsnavn is "Efternavn,Fornavn Mellemnavn". */
function fromAddressingName(name: string | undefined): string {
  if (!name) return '';
  const [family, rest] = name.split(',', 2);
  return [rest?.trim(), family?.trim()].filter(Boolean).join(' ');
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}
