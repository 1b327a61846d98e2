/**
 * Acadre v7's row in the vendor table (`kind: "acadre-v7"`): its tenant registry entry and how a
 * CaseSystem is opened from one.
 *
 *   { "kind": "acadre-v7",
 *     "endpoint": "https://acadre.odense.internal/Acadre.CM.PublicServices/SoapAuth/AcadreServiceV7.asmx",
 *     "credentials": { "env": "ACADRE_0461_CREDENTIALS" },
 *     "actingForUser": "kommunegraf" }
 */
import { z } from 'zod';
import { createAcadreCaseSystem } from './acadre';
import type { AcadreCodes } from './acadreCodes';
import { basicCredentials, credentialsReferenceSchema, type CaseSystemVendor } from './vendor';

const code = z.string().min(1);
const codesSchema = z.strictObject({
  caseStatus: z.strictObject({ Opstaaet: code, Oplyst: code, Afgjort: code, Afsluttet: code }),
  documentType: z.strictObject({ INCOMING: code, OUTGOING: code, NOTE: code }),
  caseFileType: code,
  accessCode: code,
  klePrinciple: code,
  facet: z.strictObject({ principle: code, literal: code }),
}).partial() satisfies z.ZodType<Partial<AcadreCodes>>;

const acadreEntry = z.strictObject({
  kind: z.literal('acadre-v7'),
  /** The installation's AcadreServiceV7.asmx: where calls go. */
  endpoint: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the installation\'s AcadreServiceV7.asmx' }),
  /** Where its WSDL is read: a URL or a file. @default `${endpoint}?wsdl`, as ASMX publishes it */
  wsdl: z.string().min(1).optional(),
  /** Where the service account's `username:password` is kept (HTTP Basic). */
  credentials: credentialsReferenceSchema,
  /** The user Acadre acts for, sent in the PWS SoapHeader: who files and reads, in Acadre's own log. */
  actingForUser: z.string().min(1).optional(),
  /** The installation's own codes (its ConfigurationService7 lists), where they differ from Acadre's usual ones. */
  codes: codesSchema.optional(),
});

export type AcadreEntry = z.output<typeof acadreEntry>;

export const acadreVendor: CaseSystemVendor<AcadreEntry> = {
  product: 'Acadre v7 (Formpipe) over SOAP, AcadreServiceV7',
  entry: acadreEntry,
  open(entry, context) {
    const system = createAcadreCaseSystem({
      municipalityCode: context.municipalityCode,
      wsdl: entry.wsdl ?? `${entry.endpoint}?wsdl`,
      endpoint: entry.endpoint,
      timeoutMs: context.timeoutMs,
      ...(context.resilience ? { resilience: context.resilience } : {}),
      basicAuth: basicCredentials(context.readSecret(entry.credentials)),
      ...(entry.actingForUser ? { actingForUser: entry.actingForUser } : {}),
      ...(entry.codes ? { codes: entry.codes as Partial<AcadreCodes> } : {}),
    });
    return { system, close: () => system.soap.close() };
  },
};
