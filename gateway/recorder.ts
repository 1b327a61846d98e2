/**
 * The gateway's narrow recorder over the access trail: each request's consolidated access becomes
 * records (subjects keyed-hashed) appended durably before the answer leaves.
 */
import { toAccessRecords, type AuditTrail } from '../audit';
import { parseCpr } from '../schema/scalars';
import type { RequestAccess } from './access';

/**
 * The gateway's `onAccess`: one record per subject and criterion, committed before the response
 * leaves. `tenantCvr` names each municipality's CVR number for the records.
 */
export function auditedAccess(
  trail: AuditTrail,
  subjectKey: Buffer,
  tenantCvr: (code: string) => string | null = () => null,
): (access: RequestAccess) => Promise<void> {
  return (access) =>
    trail.record(
      toAccessRecords(
        {
          requestId: access.requestId,
          traceId: access.traceId,
          documentHash: access.documentHash,
          timeIn: access.startedAt,
          // A person acting under their CPR number is recorded as its keyed hash, whichever way the token wrote it.
          identity: access.identity
            ? {
                ...access.identity,
                role: access.role,
                actorCpr: parseCpr(access.identity.actor) ?? null,
                onBehalfOfCpr: access.identity.onBehalfOf ? (parseCpr(access.identity.onBehalfOf) ?? null) : null,
              }
            : null,
          operationName: access.operationName,
          outcome: access.outcome,
          typeOfUse: access.typeOfUse,
          subjects: access.subjects,
          criteria: access.criteria,
          deniedFields: access.deniedFields,
        },
        subjectKey,
        new Date(),
        tenantCvr,
      ),
    );
}
