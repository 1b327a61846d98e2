/**
 * Personal data is served only to an authenticated caller who states a purpose (a processing
 * activity). Runs before planning: a refused request costs no subgraph or legacy call.
 *
 * Which fields are personal is the graph's to say: `@access(personal: true)` in the subgraph
 * schemas (gateway/auth/accessPolicy.ts). Address, Building and Unit are public registry data
 * (DAR and BBR are open data in Denmark).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Identity } from './authenticate';
import { denialOf, type Denial, type OperationAccessReader } from './operationAccess';

export interface IdentityContext {
  identity: Identity | null;
}

export function createRequirePurposePlugin<TContext extends IdentityContext>(
  readAccess: OperationAccessReader,
  onDenied?: (denial: Denial, context: TContext) => Promise<void>,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue, operation, request }) {
          if (!operation) return;
          const access = readAccess(schema, document, operation);
          if (!access.personal) return;
          if (!contextValue.identity) {
            throw new GraphQLError('Personal data needs an authenticated caller: send "Authorization: Bearer <token>".', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
            });
          }
          if (!contextValue.identity.purpose) {
            const reason = 'Personal data is served only for a stated purpose: give the processing activity in the token\'s "purpose" claim or the x-purpose header.';
            // A refused attempt is recorded too (with what it asked for); the refusal stands either way.
            await onDenied?.(denialOf(contextValue.identity, reason, access, request.variables ?? {}, operation), contextValue).catch(() => undefined);
            throw new GraphQLError(reason, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
          }
        },
      };
    },
  };
}
