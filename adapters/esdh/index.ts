/**
 * ESDH adapter: a municipality's own case-and-document system. Each municipality runs its own
 * vendor's; the tenant registry names which, and the vendor table (`vendors.ts`) opens it.
 */
export type {
  CaseSystem,
  CaseSystemCallOptions,
  DocumentKind,
  DocumentRecord,
  EsdhCaseRecord,
  EsdhCaseStatus,
  NewCaseInput,
  NewDocumentInput,
  PublicDocumentKind,
  PublicDocumentPage,
  PublicDocumentRecord,
} from './types';
export type { CaseSystemContext, CaseSystemVendor, CredentialsReference, OpenedCaseSystem, PluggedCaseSystemVendor } from './vendor';
export { basicCredentials, credentialsReferenceSchema } from './vendor';
export {
  BUILT_IN_CASE_SYSTEM_KINDS,
  builtInVendorTable,
  caseSystemEntrySchema,
  caseSystemVendorTable,
  type BuiltInCaseSystemEntry,
  type BuiltInCaseSystemKind,
  type CaseSystemEntry,
  type CaseSystemVendorTable,
  type PluggedCaseSystemEntry,
} from './vendors';
export { createRestCaseSystem } from './restDemo';
export { mapEsdhCase, mapEsdhDocument } from './mapEsdh';
export { mapEsdhPublicDocument, mapEsdhPublicDocumentPage } from './mapEsdhPublicDocument';
export { createAcadreCaseSystem, type AcadreCaseSystem, type AcadreCaseSystemOptions } from './acadre';
export { DEFAULT_ACADRE_CODES, type AcadreCodes } from './acadreCodes';
export { derivedIndexIdentity, type AcadreIndexIdentity } from './acadreIndexIdentity';
