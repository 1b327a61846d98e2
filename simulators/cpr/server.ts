/**
 * CPR simulator: SOAP 1.1, compatible with Serviceplatformen SF1520 PersonBaseDataExtended v4,
 * operation PersonLookup (namespace, element names and fault type as in the published WSDL/XSD).
 * Serves its own WSDL at `?wsdl`.
 */
import { readFileSync } from 'node:fs';
import { buildWorld, type Person, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorRequest } from '../core/simulator';
import { wsdlAnswer, childOf, readEnvelope, serviceplatformFault, SoapRequestError, soapResponse, textOf } from '../core/soap';

export const CPR_NS = 'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/';
export const PNR_NS = 'http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/';
export const INVOCATION_CONTEXT_NS = 'http://serviceplatformen.dk/xml/schemas/InvocationContext/1/';
export const PERSON_LOOKUP_ACTION = `${CPR_NS}PersonLookup`;
export const CPR_SERVICE_PATH = '/service/CPR/PersonBaseDataExtended/4';

/** The fault code this simulator answers for a PNR that CPR does not know. */
export const UNKNOWN_PNR_ERROR_CODE = 'PNR_NOT_FOUND';

export interface CprSimulatorOptions extends SimulatorOptions {
  world?: World;
  /**
   * How an unknown PNR is answered. @default our ErrorCode PNR_NOT_FOUND, "Personen findes ikke i
   * CPR". Public clients of the real service recognise its answer by the message "PNR not found"
   * (adapters/cpr/unknownPerson.ts); the rest of that fault is not public, so a test says what it sends.
   */
  unknownPnrFault?: { errorCode?: string; faultString: string };
}

export async function startCprSimulator(options: CprSimulatorOptions = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const wsdlTemplate = readFileSync(new URL('./PersonBaseDataExtendedService.wsdl', import.meta.url), 'utf8');
  let baseUrl = '';
  const simulator = await startSimulator(
    {
      name: 'cpr',
      renderFault: () => serviceplatformFault('Server', 'SERVICE_UNAVAILABLE', 'CPR er midlertidigt utilgængelig'),
      handle: (request) => {
        const wsdl = wsdlAnswer(request, wsdlTemplate, `${baseUrl}${CPR_SERVICE_PATH}`);
        if (wsdl) return { response: wsdl, record: { operation: 'wsdl', key: '' } };
        return personLookup(world, request, options.unknownPnrFault ?? { errorCode: UNKNOWN_PNR_ERROR_CODE, faultString: 'Personen findes ikke i CPR' });
      },
    },
    options,
  );
  baseUrl = simulator.url;
  return simulator;
}

function personLookup(world: World, request: SimulatorRequest, unknown: { errorCode?: string; faultString: string }) {
  if (request.method !== 'POST' || request.url.pathname !== CPR_SERVICE_PATH) {
    return { response: { status: 404, contentType: 'text/plain', body: 'no such service' } };
  }
  const action = String(request.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
  if (action !== PERSON_LOOKUP_ACTION) {
    return { response: serviceplatformFault('Client', 'UNKNOWN_SOAPACTION', 'Ukendt SOAPAction') };
  }
  let pnr: string | undefined;
  try {
    const { body } = readEnvelope(request.body);
    const lookup = body.find((e) => e.namespace === CPR_NS && e.localName === 'PersonLookupRequest');
    if (!lookup) throw new SoapRequestError('Body must hold PersonLookupRequest in the PersonBaseDataExtended/4 namespace');
    // Serviceplatformen serves a call only under a service agreement: no InvocationContext, no answer.
    const invocation = childOf(lookup, INVOCATION_CONTEXT_NS, 'InvocationContext');
    const agreement = textOf(invocation ? childOf(invocation, INVOCATION_CONTEXT_NS, 'ServiceAgreementUUID') : undefined);
    if (!agreement || !/^[0-9a-f-]{36}$/i.test(agreement)) throw new SoapRequestError('PersonLookupRequest must hold an InvocationContext with a ServiceAgreementUUID');
    pnr = textOf(childOf(lookup, PNR_NS, 'PNR'));
    if (!pnr) throw new SoapRequestError('PersonLookupRequest must hold PNR in the cpr/PNR/1 namespace');
  } catch (error) {
    if (error instanceof SoapRequestError) return { response: serviceplatformFault('Client', 'INVALID_REQUEST', error.message) };
    throw error;
  }
  const record = { operation: 'PersonLookup', key: pnr };
  const person = world.persons.get(pnr);
  if (!person) {
    return { response: serviceplatformFault('Client', unknown.errorCode, unknown.faultString), record };
  }
  return { response: soapResponse({ PersonLookupResponse: personLookupResponse(world, person) }), record };
}

/** The PersonLookupResponse content for one person, in the element order the XSD sequences demand. */
export function personLookupResponse(world: World, person: Person): Record<string, unknown> {
  const address = world.addresses.get(person.addressId);
  const access = address ? world.accessAddresses.get(address.accessAddressId) : undefined;
  const municipality = world.municipalities.find((m) => m.code === person.municipalityCode);
  const fullName = [person.givenName, person.middleName, person.familyName].filter(Boolean).join(' ');
  const childrenUnder18 = person.childCprs.filter((cpr) => Number(world.persons.get(cpr)?.birthDate.slice(0, 4)) > 2008).length;
  const relations: Record<string, unknown> = {};
  if (person.spouseCpr) relations['aegtefaelle'] = { personnummer: person.spouseCpr };
  if (person.childCprs.length > 0) relations['barn'] = person.childCprs.map((cpr) => ({ personnummer: cpr }));
  if (person.motherCpr) relations['mor'] = { personnummer: person.motherCpr };
  if (person.fatherCpr) relations['far'] = { personnummer: person.fatherCpr };
  const custody = [
    person.motherCpr ? { foraeldremyndighedtype: 3, relationPersonnummer: person.motherCpr } : undefined,
    person.fatherCpr ? { foraeldremyndighedtype: 4, relationPersonnummer: person.fatherCpr } : undefined,
  ].filter(Boolean);
  if (custody.length > 0) relations['foraeldremyndighed'] = custody;

  const content: Record<string, unknown> = {
    '@_xmlns': CPR_NS,
    persondata: {
      personnummer: person.cpr,
      navn: {
        personadresseringsnavn: `${person.familyName},${[person.givenName, person.middleName].filter(Boolean).join(' ')}`,
        fornavn: person.givenName,
        ...(person.middleName ? { mellemnavn: person.middleName } : {}),
        efternavn: person.familyName,
      },
      foedselsdato: { dato: person.birthDate },
      koen: person.sex,
      antalBoernUnder18: childrenUnder18,
      status: { status: person.status },
      civilstand: { civilstand: person.maritalStatus },
      adressebeskyttelse: { beskyttet: person.addressProtected },
    },
  };
  if (address && access) {
    content['adresse'] = {
      aktuelAdresse: {
        kommuneCvr: municipality?.cvr,
        kommunekode: access.municipalityCode,
        vejkode: access.streetCode,
        husnummer: access.houseNumber,
        ...(address.floor !== null ? { etage: address.floor } : {}),
        ...(address.door !== null ? { sidedoer: address.door } : {}),
        postnummer: access.postcode,
        postdistrikt: access.postcodeName,
        vejnavn: access.streetName,
        standardadresse: address.text.split(',').slice(0, -1).join(','),
        adresseringsnavn: fullName,
      },
    };
  }
  if (Object.keys(relations).length > 0) content['relationer'] = relations;
  return content;
}
