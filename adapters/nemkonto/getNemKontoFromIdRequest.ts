/**
 * The getNemKontoFromID request body (NemKontoService WSDL, element getNemKontoFromID): one
 * personID, qualified in the service namespace (the schema's elementFormDefault is "qualified").
 */
import { buildXml } from '../core/xml';

export const NEMKONTO_NS = 'http://devenvdemo.poc.nemkonto.digst.dk';
export const GET_NEMKONTO_FROM_ID = 'getNemKontoFromID';

/**
 * The request for one person. personID is the CPR number as ten digits (the proof of concept's
 * own ids are written so); "DDMMYY-SSSS" is accepted and sent without its dash. Anything else is
 * refused before it is sent, without repeating it.
 */
export function getNemKontoFromIdRequest(cpr: string): string {
  const match = /^(\d{6})-?(\d{4})$/.exec(cpr);
  if (!match) throw new RangeError('nemkonto: personID must be a CPR number, DDMMYY-SSSS or ten digits');
  return buildXml({
    'nk:getNemKontoFromID': {
      '@_xmlns:nk': NEMKONTO_NS,
      'nk:personID': `${match[1]}${match[2]}`,
    },
  });
}
