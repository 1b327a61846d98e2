/**
 * Personal data is served only to an authenticated caller who states a purpose (a processing
 * activity). Runs before planning: a refused request costs no subgraph or legacy call.
 *
 * Which fields are personal: every field of the types below, as the graph's public contract
 * describes them (Citizen and what hangs off it, cases and their documents). Address, Building and
 * Unit are public registry data (DAR and BBR are open data in Denmark).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Identity } from './authenticate';

export const PERSONAL_TYPES: ReadonlySet<string> = new Set(['Citizen', 'PersonName', 'Relations', 'Residence', 'Case', 'CaseParty', 'Document', 'Classification']);
export const PERSONAL_ROOT_FIELDS: ReadonlySet<string> = new Set(['Query.citizen', 'Query.case']);

export interface IdentityContext {
  identity: Identity | null;
}

export function createRequirePurposePlugin<TContext extends IdentityContext>(): ApolloServerPlugin<TContext> {
  const personal = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue }) {
          let touches = personal.get(document);
          if (touches === undefined) personal.set(document, (touches = touchesPersonalData(document, schema)));
          if (!touches) return;
          if (!contextValue.identity) {
            throw new GraphQLError('Personal data needs an authenticated caller: send "Authorization: Bearer <token>".', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
            });
          }
          if (!contextValue.identity.purpose) {
            throw new GraphQLError(
              'Personal data is served only for a stated purpose: give the processing activity in the token\'s "purpose" claim or the x-purpose header.',
              { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
            );
          }
        },
      };
    },
  };
}

function touchesPersonalData(document: DocumentNode, schema: GraphQLSchema): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()?.name;
        if (!parent || node.name.value === '__typename') return;
        if (PERSONAL_TYPES.has(parent) || PERSONAL_ROOT_FIELDS.has(`${parent}.${node.name.value}`)) found = true;
      },
    }),
  );
  return found;
}
