/**
 * What each role may ask of the graph, checked before planning at the operation level (the
 * grants of single fields, declared with `@access` in the schema, come after, field by field):
 * - caseworker: personal data with a purpose; cases of their own municipality (the case subgraph
 *   asks the index on that municipality's behalf), which must be one this deployment serves;
 * - citizen: only themselves — every CPR number the operation gives, anywhere in it, must be
 *   their own (the token's sub) — and their cases through it;
 * - auditor: no personal data through the graph (the audit API is theirs);
 * - service: personal data only with the scope `personal-data:read`.
 * A refusal says why (FORBIDDEN, 403) and is reported, with what was asked for, so the access
 * trail records denied attempts too.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { parseCpr } from '../../schema/scalars';
import { denialOf, subjectsAsked, type Denial, type OperationAccessReader } from './operationAccess';
import type { IdentityContext } from './requirePurpose';

export const SERVICE_PERSONAL_DATA_SCOPE = 'personal-data:read';

export interface RolesOptions<TContext> {
  /** Whether this deployment serves a municipality (the tenant registry); absent: any. */
  serves?: (municipalityCode: string) => boolean;
  onDenied?: (denial: Denial, context: TContext) => Promise<void>;
}

export function createRolesPlugin<TContext extends IdentityContext>(readAccess: OperationAccessReader, options: RolesOptions<TContext> = {}): ApolloServerPlugin<TContext> {
  const { serves, onDenied } = options;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, contextValue, request }) {
          const identity = contextValue.identity;
          if (!identity || !operation) return;
          const access = readAccess(schema, document, operation);
          if (!access.personal) return;
          const variables = request.variables ?? {};
          const refuse = async (reason: string) => {
            // The refusal stands whether or not it could be recorded.
            await onDenied?.(denialOf(identity, reason, access, variables, operation), contextValue).catch(() => undefined);
            throw new GraphQLError(reason, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          };
          const roles = new Set(identity.roles);
          if (identity.tenant && serves && !serves(identity.tenant)) await refuse(`Municipality ${identity.tenant} is not served by this deployment.`);
          // The most restrictive role wins, here and in the subgraphs (subgraphs/shared/ownData.ts):
          // a token that says citizen is a citizen's, whatever else it says.
          if (roles.has('citizen')) {
            const own = parseCpr(identity.actor);
            const others = subjectsAsked(access, variables).filter((cpr) => cpr !== own);
            if (!own || others.length > 0) await refuse('A citizen may see only their own data: ask for citizen(cpr:) with your own CPR number.');
            return;
          }
          if (roles.has('caseworker')) {
            if (!identity.tenant) await refuse('A caseworker\'s token must name their municipality (the "municipality" claim).');
            return;
          }
          if (roles.has('service') && identity.scopes.includes(SERVICE_PERSONAL_DATA_SCOPE)) return;
          if (roles.has('auditor')) await refuse('Auditors do not read personal data through the graph; the audit API answers who accessed what.');
          await refuse('This role may not read personal data.');
        },
      };
    },
  };
}
