/**
 * The SF1520 PersonLookup request body (PersonBaseDataExtendedServiceMsg.xsd, PersonLookupRequest):
 * InvocationContext then PNR, each in its own namespace, as Serviceplatformen expects.
 */
import { buildXml } from '../core/xml';
import type { InvocationContext } from './types';

export const PERSON_BASE_DATA_NS = 'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/';
export const INVOCATION_CONTEXT_NS = 'http://serviceplatformen.dk/xml/schemas/InvocationContext/1/';
export const PNR_NS = 'http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/';

export function personLookupRequest(pnr: string, context: InvocationContext): string {
  const invocation: Record<string, string> = {
    'invctx:ServiceAgreementUUID': context.serviceAgreementUuid,
    'invctx:UserSystemUUID': context.userSystemUuid,
    'invctx:UserUUID': context.userUuid,
    'invctx:ServiceUUID': context.serviceUuid,
  };
  if (context.onBehalfOfUser) invocation['invctx:OnBehalfOfUser'] = context.onBehalfOfUser.slice(0, 255);
  return buildXml({
    'pbd:PersonLookupRequest': {
      '@_xmlns:pbd': PERSON_BASE_DATA_NS,
      '@_xmlns:invctx': INVOCATION_CONTEXT_NS,
      '@_xmlns:pnr': PNR_NS,
      'invctx:InvocationContext': invocation,
      'pnr:PNR': pnr,
    },
  });
}
