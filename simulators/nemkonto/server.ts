/**
 * NemKonto simulator: SOAP 1.1, compatible with Digitaliseringsstyrelsen's public proof-of-concept
 * NemKontoService (an Axis2 service), operation getNemKontoFromID (namespace, elements and
 * SOAPAction as in the published WSDL; it declares no faults, so faults are plain SOAP Faults as
 * Axis2 sends them). Serves its own WSDL at `?wsdl`. Accounts: see accounts.ts.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_SEED, buildWorld, type World } from '../data/world';
import { startSimulator, type HandledCall, type RunningSimulator, type SimulatorOptions, type SimulatorRequest, type SimulatorResponse } from '../core/simulator';
import { childOf, elementsOf, readEnvelope, SoapRequestError, soapEnvelope, soapResponse, textOf, wsdlAnswer } from '../core/soap';
import { nemKontoAccountOf, nemKontoReturnText } from './accounts';

export const NEMKONTO_NS = 'http://devenvdemo.poc.nemkonto.digst.dk';
export const GET_NEMKONTO_FROM_ID_ACTION = 'urn:getNemKontoFromID';
/** Where Axis2 publishes the service (the published WSDL's soap:address path). */
export const NEMKONTO_SERVICE_PATH = '/axis2/services/NemKontoService';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface NemKontoSimulatorOptions extends SimulatorOptions {
  world?: World;
  /** The seed the accounts are derived from, the world's. @default DEFAULT_SEED */
  seed?: number;
}

export async function startNemKontoSimulator(options: NemKontoSimulatorOptions = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const seed = options.seed ?? DEFAULT_SEED;
  const wsdlTemplate = readFileSync(new URL('./NemKontoService.wsdl', import.meta.url), 'utf8');
  let baseUrl = '';
  const simulator = await startSimulator(
    {
      name: 'nemkonto',
      renderFault: () => soapFault('Server', 'NemKonto er midlertidigt utilgængelig'),
      handle: (request) => {
        const wsdl = wsdlAnswer(request, wsdlTemplate, `${baseUrl}${NEMKONTO_SERVICE_PATH}`);
        if (wsdl) return { response: wsdl, record: { operation: 'wsdl', key: '' } };
        return getNemKontoFromId(world, seed, request);
      },
    },
    options,
  );
  baseUrl = simulator.url;
  return simulator;
}

function getNemKontoFromId(world: World, seed: number, request: SimulatorRequest): HandledCall {
  if (request.method !== 'POST' || request.url.pathname !== NEMKONTO_SERVICE_PATH) {
    return { response: { status: 404, contentType: 'text/plain', body: 'no such service' } };
  }
  const action = String(request.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
  if (action !== GET_NEMKONTO_FROM_ID_ACTION) {
    return { response: soapFault('Client', 'Ukendt SOAPAction: tjenesten har kun getNemKontoFromID') };
  }
  let personId: string;
  try {
    const { body } = readEnvelope(request.body);
    const operation = body.find((e) => e.namespace === NEMKONTO_NS && e.localName === 'getNemKontoFromID');
    if (!operation) throw new SoapRequestError('Body must hold getNemKontoFromID in the NemKonto namespace');
    // elementFormDefault="qualified": a personID in no namespace is not the contract's personID.
    const strays = elementsOf(operation.node, operation.scope).filter((e) => !(e.namespace === NEMKONTO_NS && e.localName === 'personID'));
    if (strays.length > 0) throw new SoapRequestError('getNemKontoFromID holds only personID, in the NemKonto namespace');
    personId = textOf(childOf(operation, NEMKONTO_NS, 'personID'))?.trim() ?? '';
  } catch (error) {
    if (error instanceof SoapRequestError) return { response: soapFault('Client', error.message) };
    throw error;
  }
  const record = { operation: 'getNemKontoFromID', key: personId };
  // The POC service answers null (a nil return) for an empty id and for an id without an account alike.
  const person = world.persons.get(personId);
  const account = person ? nemKontoAccountOf(person, seed) : null;
  const returned = account
    ? { 'ns:return': nemKontoReturnText(account) }
    : { 'ns:return': { '@_xmlns:xsi': XSI_NS, '@_xsi:nil': 'true' } };
  return { response: soapResponse({ 'ns:getNemKontoFromIDResponse': { '@_xmlns:ns': NEMKONTO_NS, ...returned } }), record };
}

/**
 * A SOAP 1.1 Fault as Axis2 sends one for an AxisFault: faultcode and faultstring, an empty
 * detail (the contract declares no fault messages). `Client` for a request the service cannot
 * read, `Server` for its own failure.
 */
export function soapFault(side: 'Client' | 'Server', faultString: string): SimulatorResponse {
  return {
    status: 500, // SOAP 1.1 over HTTP: faults travel with status 500
    contentType: 'text/xml; charset=utf-8',
    body: soapEnvelope({ 'soap:Fault': { faultcode: `soap:${side}`, faultstring: faultString, detail: '' } }),
  };
}
