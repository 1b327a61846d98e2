/**
 * Acadre simulator: one municipality's Acadre v7 (Traen/Formpipe) ESDH over SOAP 1.1, compatible
 * with the Acadre PWS contract AcadreServiceV7 for the operations a CaseSystem needs (target
 * namespaces, SOAPActions and element names as in the published WSDL and XSDs). It serves the
 * shared world's cases and documents of the municipality it is started for, keeps writes in that
 * world, and serves its own three-part WSDL at `?wsdl` (root), `?wsdl=wsdl1` and `?wsdl=wsdl2`,
 * as ASMX does. Started with credentials, it asks HTTP Basic of every request, as IIS in front of
 * Acadre's SoapAuth endpoint does.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildWorld, type World } from '../data/world';
import { startSimulator, type HandledCall, type RunningSimulator, type SimulatorOptions, type SimulatorRequest, type SimulatorResponse } from '../core/simulator';
import { readEnvelope, SoapRequestError, soapResponse, wsdlAnswer } from '../core/soap';
import { acadreFault, AcadreException, clientFault, serverFault } from './messages';
import { OPERATIONS, RequestUnreadable, type CallKey, type OperationContext } from './operations';
import { createAcadreRegister } from './register';

export { NS as ACADRE_NS, caseNumberOf } from './messages';
export { DOCUMENT_TYPE_CODES, STATUS_CODES, KLE_PRINCIPLE, type AcadreRegister } from './register';

/** Where Acadre's ASMX answers, as in the published WSDL's soap:address. */
export const ACADRE_SERVICE_PATH = '/acadre/Acadre.CM.PublicServices/SoapAuth/AcadreServiceV7.asmx';

const WSDL_DOCUMENTS: Readonly<Record<string, string>> = {
  '': 'AcadreServiceV7.wsdl',
  wsdl1: 'AcadreServiceV7-wsdl1.wsdl',
  wsdl2: 'AcadreServiceV7-wsdl2.wsdl',
};

export interface AcadreSimulatorOptions extends SimulatorOptions {
  /** The municipality whose cases this Acadre holds. */
  municipalityCode: string;
  world?: World;
  /** The simulator's clock, for the dates Acadre stamps on writes. @default the system clock */
  today?: () => Date;
  /** The service account every request must authenticate as (HTTP Basic); none asked when absent. */
  credentials?: { username: string; password: string };
}

export interface RunningAcadreSimulator extends RunningSimulator {
  /** The register's view of the world: Acadre's ids and numbers for the world's cases. */
  readonly register: OperationContext['register'];
}

export async function startAcadreSimulator(options: AcadreSimulatorOptions): Promise<RunningAcadreSimulator> {
  const world = options.world ?? buildWorld();
  const { municipalityCode } = options;
  if (!world.municipalities.some((m) => m.code === municipalityCode)) throw new Error(`no municipality ${municipalityCode} in the synthetic world`);
  const today = options.today ?? (() => new Date());
  const context: OperationContext = { world, register: createAcadreRegister(world, municipalityCode), municipalityCode, today };
  const authorized = authorization(options.credentials);
  const wsdl = Object.fromEntries(
    Object.entries(WSDL_DOCUMENTS).map(([part, file]) => [part, readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')]),
  );
  let serviceUrl = '';
  const simulator = await startSimulator(
    {
      name: `acadre-${municipalityCode}`,
      renderFault: () => serverFault(),
      handle: (request) => {
        if (request.url.pathname !== ACADRE_SERVICE_PATH) return { response: { status: 404, contentType: 'text/plain', body: 'no such service' } };
        // IIS answers before Acadre sees the request: not a call Acadre answered, so not recorded.
        if (!authorized(request)) return { response: UNAUTHORIZED };
        const document = wsdlAnswer(request, wsdl, serviceUrl);
        if (document) return { response: document, ...(document.status === 200 ? { record: { operation: 'wsdl', key: request.url.searchParams.get('wsdl') ?? '' } } : {}) };
        if (request.method !== 'POST') return { response: { status: 405, contentType: 'text/plain', body: 'POST a SOAP 1.1 envelope' } };
        return answer(request, context);
      },
    },
    options,
  );
  serviceUrl = `${simulator.url}${ACADRE_SERVICE_PATH}`;
  return { ...simulator, register: context.register };
}

function answer(request: SimulatorRequest, context: OperationContext): HandledCall {
  const action = String(request.headers['soapaction'] ?? '').replace(/^"|"$/g, '');
  const operation = OPERATIONS[action];
  // ASMX's own words for a SOAPAction it does not serve.
  if (!operation) return { response: clientFault(`Server did not recognize the value of HTTP Header SOAPAction: ${action.slice(0, 120)}.`) };
  const call: CallKey = { key: '' };
  try {
    const { body } = readEnvelope(request.body);
    const [namespace, localName] = operation.input;
    const element = body.find((e) => e.namespace === namespace && e.localName === localName);
    if (!element) throw new RequestUnreadable(`${operation.name} expects {${namespace}}${localName} in the Body`);
    return { response: soapResponse(operation.answer(element, context, call)), record: { operation: operation.name, key: call.key } };
  } catch (error) {
    const record = { operation: operation.name, key: call.key };
    if (error instanceof AcadreException) return { response: acadreFault(error), record };
    if (error instanceof RequestUnreadable || error instanceof SoapRequestError) {
      return { response: clientFault(`Server was unable to read request. ${error.message}`), record };
    }
    throw error;
  }
}

const UNAUTHORIZED: SimulatorResponse = {
  status: 401,
  contentType: 'text/plain',
  body: 'Unauthorized',
  headers: { 'www-authenticate': 'Basic realm="Acadre"' },
};

/** Whether a request brings the service account's HTTP Basic credentials; every request does when none are asked. */
function authorization(credentials: AcadreSimulatorOptions['credentials']): (request: SimulatorRequest) => boolean {
  if (!credentials) return () => true;
  const expected = Buffer.from(`Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`);
  return (request) => {
    const given = Buffer.from(String(request.headers['authorization'] ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
