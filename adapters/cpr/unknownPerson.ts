/**
 * Whether a PersonLookup fault means "CPR knows no such person" (NotFound) rather than a failure.
 *
 * SF1520's contract does not list its error codes (ServiceplatformFault_1.xsd types ErrorCode as a
 * plain string), so we recognise the answer the ways public clients of the real service do:
 * - by the fault's message: OS2sofd's CPR integration turns a fault whose message contains
 *   "PNR not found" into HTTP 404 (github.com/OS2sofd/middleware, sofd-core-cpr-integration/
 *   Controllers/PersonController.cs), and itk-dev/serviceplatformen makes the same text a
 *   NoPnrFoundException (src/Service/PersonBaseDataExtendedService.php); both read the SOAP
 *   client's exception message, which is the faultstring;
 * - by "PNRNotFound" anywhere in the fault: OS2mo reads the response body for it
 *   (github.com/OS2mo/os2mo, backend/mora/integrations/serviceplatformen.py), without saying in
 *   which element, so every text of the fault is looked at;
 * - by our simulator's ErrorCode `PNR_NOT_FOUND` (UNKNOWN_PNR_ERROR_CODES), kept as it is.
 */

/** The ServiceplatformFault ErrorCode that our CPR simulator answers for an unknown PNR. */
export const UNKNOWN_PNR_ERROR_CODES: ReadonlySet<string> = new Set(['PNR_NOT_FOUND']);

/** The words the real service is seen to use, by the clients above. */
const UNKNOWN_PNR_MESSAGES: readonly RegExp[] = [/PNR not found/i, /PNRNotFound/];

/**
 * `errorCode` is the fault's ErrorCode (or its faultcode when it has none), `texts` its
 * faultstring and detail texts (`readFaultDetails`). The texts are only tested, never kept.
 */
export function isUnknownPersonFault(errorCode: string, texts: readonly string[]): boolean {
  if (UNKNOWN_PNR_ERROR_CODES.has(errorCode)) return true;
  return [errorCode, ...texts].some((text) => UNKNOWN_PNR_MESSAGES.some((words) => words.test(text)));
}
