import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSoapPersonRegistry, personLookupRequest, type SoapPersonRegistry } from '../../cpr';
import { startCprSimulator, CPR_SERVICE_PATH } from '../../../simulators/cpr/server';
import type { RunningSimulator } from '../../../simulators/core/simulator';
import { buildWorld } from '../../../simulators/data/world';
import { LegacyBadResponse, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../errors';
import { createSoapCaller, readFault } from '../soapCaller';

const invocationContext = {
  serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
  userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
  userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
  serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
};
const world = buildWorld();
const known = [...world.persons.values()][0]!;

let simulator: RunningSimulator;
let registry: SoapPersonRegistry;

beforeAll(async () => {
  simulator = await startCprSimulator({ world });
  registry = createSoapPersonRegistry({
    wsdl: `${simulator.url}${CPR_SERVICE_PATH}?wsdl`,
    endpoint: `${simulator.url}${CPR_SERVICE_PATH}`,
    invocationContext,
    timeoutMs: 300,
  });
  simulator.resetCalls();
});
afterEach(() => {
  simulator.setFault('none');
  simulator.resetCalls();
});
afterAll(() => simulator.close());

describe('SOAP caller, through the CPR adapter against the CPR simulator over HTTP', () => {
  it('builds the client from the WSDL once and reuses it for every call', async () => {
    await Promise.all([registry.lookup(known.cpr), registry.lookup(known.cpr)]);
    await registry.lookup(known.cpr);
    expect(await registry.soap.operations()).toEqual(['PersonLookup']);
    expect(simulator.callsTo('wsdl')).toHaveLength(1);
    expect(simulator.callsTo('PersonLookup', known.cpr)).toHaveLength(3);
  });

  it('maps the unknown-PNR fault to NotFound', async () => {
    await expect(registry.lookup('0101010000')).rejects.toBeInstanceOf(NotFound);
  });

  it.each([
    ['http500', LegacyUnavailable],
    ['fault', LegacyFault],
    ['malformed', LegacyBadResponse],
    ['hang', LegacyTimeout],
  ] as const)('a simulator in %s mode gives %O, with no CPR number in the message', async (mode, Type) => {
    simulator.setFault(mode);
    const error = await registry.lookup(known.cpr).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Type);
    expect((error as Error).message).not.toContain(known.cpr);
  });

  it('reports an unreachable WSDL as LegacyUnavailable', async () => {
    const broken = createSoapPersonRegistry({ wsdl: 'http://127.0.0.1:9/nowhere?wsdl', invocationContext, timeoutMs: 300 });
    await expect(broken.lookup(known.cpr)).rejects.toBeInstanceOf(LegacyUnavailable);
  });
});

describe('a WSDL load that runs out of time', () => {
  it('is a timeout for the call that started it and for one that joined it, each with its own tenant; the next call loads again', async () => {
    const cold = createSoapCaller({
      system: 'cpr',
      // soap keeps every WSDL it parsed by location, process-wide: a location of its own makes this load cold.
      wsdl: `${simulator.url}${CPR_SERVICE_PATH}?wsdl&cold`,
      endpoint: `${simulator.url}${CPR_SERVICE_PATH}`,
      timeoutMs: 300,
    });
    const lookup = (tenant: string) =>
      cold.call('PersonLookup', { bodyXml: personLookupRequest(known.cpr, invocationContext), tenant }).catch((e: unknown) => e);
    try {
      simulator.setFault('hang');
      const starter = lookup('0101');
      // The load's request has reached the system, so its timer runs: the second call's own
      // deadline starts later and ends later, and what it gets is the failure of the load it joined.
      await vi.waitFor(() => expect(simulator.callsTo('wsdl')).toHaveLength(1), { timeout: 5_000, interval: 5 });
      const joiner = lookup('0751');
      const [first, second] = await Promise.all([starter, joiner]);
      for (const [error, tenant] of [[first, '0101'], [second, '0751']] as const) {
        expect(error).toBeInstanceOf(LegacyTimeout);
        expect(error).toMatchObject({ system: 'cpr', tenant, detail: 'wsdl' });
      }
      expect(first).not.toBe(second);
      expect(simulator.callsTo('wsdl')).toHaveLength(1);

      simulator.setFault('none');
      await expect(lookup('0101')).resolves.toContain('PersonLookup');
      expect(simulator.callsTo('wsdl')).toHaveLength(2);
    } finally {
      cold.close();
    }
  });
});

describe('readFault', () => {
  const fault = (detail: string) =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring><detail>${detail}</detail></soap:Fault></soap:Body></soap:Envelope>`;

  it('reads the Serviceplatform ErrorCode by default, and a vendor\'s error where its path says', () => {
    const serviceplatform = fault('<spf:ServiceplatformFault xmlns:spf="urn:x"><spf:ErrorList><spf:Error><spf:ErrorCode>PNR_NOT_FOUND</spf:ErrorCode></spf:Error></spf:ErrorList></spf:ServiceplatformFault>');
    expect(readFault(serviceplatform)).toEqual({ faultCode: 'soap:Server', errorCode: 'PNR_NOT_FOUND' });
    const acadre = fault('<cfg:ErrorType xmlns:cfg="http://www.traen.com/2008/01/20"> System_ApplicationException </cfg:ErrorType>');
    expect(readFault(acadre, ['detail', 'ErrorType'])).toEqual({ faultCode: 'soap:Server', errorCode: 'System_ApplicationException' });
    expect(readFault(acadre)).toEqual({ faultCode: 'soap:Server' });
    expect(readFault(fault('<cfg:ErrorType xmlns:cfg="urn:x"/>'), ['detail', 'ErrorType'])).toEqual({ faultCode: 'soap:Server' });
  });
});
