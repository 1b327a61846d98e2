/**
 * Personal data is served only to an authenticated caller who states a purpose (a processing
 * activity). Runs before planning: a refused request costs no subgraph or legacy call.
 *
 * Which fields are personal: every field of the types below, as the graph's public contract
 * describes them (Citizen and what hangs off it, cases and their documents). Address, Building and
 * Unit are public registry data (DAR and BBR are open data in Denmark).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { parseCpr } from '../../schema/scalars';
import type { Identity } from './authenticate';

export const PERSONAL_TYPES: ReadonlySet<string> = new Set(['Citizen', 'PersonName', 'Relations', 'Residence', 'Case', 'CaseParty', 'Document', 'Classification']);
export const PERSONAL_ROOT_FIELDS: ReadonlySet<string> = new Set(['Query.citizen', 'Query.case']);

export interface IdentityContext {
  identity: Identity | null;
}

export function createRequirePurposePlugin<TContext extends IdentityContext>(
  onDenied?: (denial: { identity: Identity; reason: string; subjects: string[]; operationName: string | null }, context: TContext) => Promise<void>,
): ApolloServerPlugin<TContext> {
  const personal = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue, operation, request }) {
          let touches = personal.get(document);
          if (touches === undefined) personal.set(document, (touches = touchesPersonalData(document, schema)));
          if (!touches) return;
          if (!contextValue.identity) {
            throw new GraphQLError('Personal data needs an authenticated caller: send "Authorization: Bearer <token>".', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
            });
          }
          if (!contextValue.identity.purpose) {
            const reason = 'Personal data is served only for a stated purpose.';
            // A refused attempt is recorded too (with what it asked for), whether or not that succeeds.
            await onDenied?.(
              { identity: contextValue.identity, reason, subjects: operation ? citizenArguments(operation, request.variables ?? {}) : [], operationName: operation?.name?.value ?? null },
              contextValue,
            ).catch(() => undefined);
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

/** The response keys (alias or name) of the operation's root fields that reach personal data. */
export function personalRootKeys(operation: OperationDefinitionNode, schema: GraphQLSchema): string[] {
  const keys: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] } }] };
    if (touchesPersonalData(single, schema)) keys.push(selection.alias?.value ?? selection.name.value);
  }
  return keys;
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

/** The CPR numbers given to `citizen(cpr:)` at the root, literals and variables alike (digits). */
export function citizenArguments(operation: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  const found: string[] = [];
  const valueOf = (node: ValueNode): unknown => (node.kind === Kind.VARIABLE ? variables[node.name.value] : node.kind === Kind.STRING ? node.value : undefined);
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'citizen') continue;
    const argument = selection.arguments?.find((a) => a.name.value === 'cpr');
    const value = argument ? valueOf(argument.value) : undefined;
    const digits = typeof value === 'string' ? parseCpr(value) : undefined;
    if (digits) found.push(digits);
  }
  return found;
}
