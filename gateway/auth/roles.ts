/**
 * What each role may ask of the graph, checked before planning (operation level; field-level
 * rules declared in the schema come next):
 * - caseworker: personal data with a purpose; cases of their own municipality (the case subgraph
 *   asks the index on that municipality's behalf);
 * - citizen: only themselves — every `citizen(cpr:)` must be their own number (the token's sub) —
 *   and their cases through it, never `case(id:)` directly;
 * - auditor: no personal data through the graph (the audit API is theirs);
 * - service: personal data only with the scope `personal-data:read`.
 * A refusal says why (FORBIDDEN, 403) and is reported, with the CPR numbers asked for, so the
 * access trail records denied attempts too.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import { parseCpr } from '../../schema/scalars';
import type { Identity } from './authenticate';
import { citizenArguments, personalRootKeys, type IdentityContext } from './requirePurpose';

export const SERVICE_PERSONAL_DATA_SCOPE = 'personal-data:read';

export interface Denial {
  identity: Identity;
  reason: string;
  /** CPR numbers the refused operation asked for (its search criteria). */
  subjects: string[];
  operationName: string | null;
}

export function createRolesPlugin<TContext extends IdentityContext>(onDenied?: (denial: Denial, context: TContext) => Promise<void>): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, schema, contextValue, request }) {
          const identity = contextValue.identity;
          if (!identity || !operation || personalRootKeys(operation, schema).length === 0) return;
          const asked = citizenArguments(operation, request.variables ?? {});
          const refuse = async (reason: string) => {
            // The refusal stands whether or not it could be recorded.
            await onDenied?.({ identity, reason, subjects: asked, operationName: operation.name?.value ?? null }, contextValue).catch(() => undefined);
            throw new GraphQLError(reason, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          };
          const roles = new Set(identity.roles);
          if (roles.has('caseworker')) return;
          if (roles.has('service') && identity.scopes.includes(SERVICE_PERSONAL_DATA_SCOPE)) return;
          if (roles.has('citizen')) {
            const own = parseCpr(identity.actor);
            const others = asked.filter((cpr) => cpr !== own);
            const asksCases = operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'case');
            if (!own || others.length > 0 || asksCases) await refuse('A citizen may see only their own data: ask for citizen(cpr:) with your own CPR number.');
            return;
          }
          if (roles.has('auditor')) await refuse('Auditors do not read personal data through the graph; the audit API answers who accessed what.');
          await refuse('This role may not read personal data.');
        },
      };
    },
  };
}
