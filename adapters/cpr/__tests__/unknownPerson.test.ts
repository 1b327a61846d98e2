/**
 * An unknown person, the ways CPR is seen to say it (adapters/cpr/unknownPerson.ts): our
 * simulator's ErrorCode, and the real service's fault message as public clients read it. Faults
 * shaped as Serviceplatformen's (SOAP 1.1 Fault, ServiceplatformFault_1.xsd detail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyFault, NotFound } from '../../core/errors';
import { readFaultDetails } from '../../core/soapCaller';
import { createSoapPersonRegistry, isUnknownPersonFault } from '..';
import type { RunningSimulator } from '../../../simulators/core/simulator';
import { CPR_SERVICE_PATH, startCprSimulator } from '../../../simulators/cpr/server';
import { buildWorld } from '../../../simulators/data/world';

/** A Serviceplatformen fault: faultcode, faultstring, and a ServiceplatformFault with its errors, if any. */
const fault = (faultString: string, errors: { code: string; text: string }[] = []) =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
  `<faultcode>soap:Client</faultcode><faultstring>${faultString}</faultstring><detail>` +
  '<spf:ServiceplatformFault xmlns:spf="http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/">' +
  (errors.length ? `<spf:ErrorList>${errors.map((e) => `<spf:Error><spf:ErrorCode>${e.code}</spf:ErrorCode><spf:ErrorText>${e.text}</spf:ErrorText></spf:Error>`).join('')}</spf:ErrorList>` : '') +
  '</spf:ServiceplatformFault></detail></soap:Fault></soap:Body></soap:Envelope>';

const decide = (xml: string) => {
  const details = readFaultDetails(xml)!;
  return isUnknownPersonFault(details.errorCode ?? details.faultCode, details.texts);
};

describe('isUnknownPersonFault', () => {
  it('knows our simulator\'s ErrorCode PNR_NOT_FOUND, as before', () => {
    expect(decide(fault('Personen findes ikke i CPR', [{ code: 'PNR_NOT_FOUND', text: 'Personen findes ikke i CPR' }]))).toBe(true);
  });

  it('knows the real service\'s message "PNR not found" in the faultstring, whatever the error code', () => {
    expect(decide(fault('PNR not found'))).toBe(true);
    expect(decide(fault('Error: PNR not found', [{ code: 'E1001', text: 'Lookup failed' }]))).toBe(true);
  });

  it('knows "PNR not found" and "PNRNotFound" in the fault\'s detail too', () => {
    expect(decide(fault('Fejl', [{ code: 'E1001', text: 'PNR not found' }]))).toBe(true);
    expect(decide(fault('Fejl', [{ code: 'PNRNotFound', text: 'Fejl' }]))).toBe(true);
  });

  it('leaves every other fault a fault', () => {
    expect(decide(fault('Ugyldig forespørgsel', [{ code: 'INVALID_REQUEST', text: 'PersonLookupRequest must hold PNR' }]))).toBe(false);
    expect(decide(fault('CPR er midlertidigt utilgængelig', [{ code: 'SERVICE_UNAVAILABLE', text: 'CPR er midlertidigt utilgængelig' }]))).toBe(false);
    expect(decide(fault('Service agreement not found'))).toBe(false);
  });
});

describe('a PersonLookup answered with the real service\'s message', () => {
  const world = buildWorld();
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startCprSimulator({ world, unknownPnrFault: { faultString: 'PNR not found' } });
  });
  afterAll(() => simulator.close());

  it('is NotFound through the SOAP caller, and names nothing of the fault\'s text', async () => {
    const registry = createSoapPersonRegistry({
      wsdl: `${simulator.url}${CPR_SERVICE_PATH}?wsdl`,
      endpoint: `${simulator.url}${CPR_SERVICE_PATH}`,
      invocationContext: {
        serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
        userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
        userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
        serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
      },
    });
    try {
      const unknown = await registry.lookup('6101709999').catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(NotFound);
      expect(unknown).not.toBeInstanceOf(LegacyFault);
      expect(`${(unknown as Error).message} ${(unknown as NotFound).detail}`).not.toMatch(/PNR not found|6101709999/);
    } finally {
      registry.soap.close();
    }
  });
});
