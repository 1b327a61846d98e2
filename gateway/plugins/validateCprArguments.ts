/**
 * Rejects a malformed CPR number at the gateway, before any subgraph or legacy call, with an
 * error that names the argument and never repeats the value.
 *
 * The gateway's schema comes from the supergraph SDL, where CPR is a bare custom scalar that
 * accepts anything; the real format check lives in the subgraphs, whose errors would arrive
 * after a wasted round trip and (graphql-js prints rejected variable values) carrying the input.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type GraphQLInputType,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { parseCpr } from '../../schema/scalars';

const CPR_TYPE = 'CPR';
const MESSAGE = 'CPR must be written DDMMYY-SSSS (day 01–31, or 61–91 for substitute numbers; month 01–12)';

interface DocumentCheck {
  /** Problems with CPR literals: the same for every request with this document. */
  literalProblems: string[];
  /** For each CPR-typed variable, the argument it feeds. */
  cprVariables: { name: string; where: string | undefined }[];
}

export function createValidateCprArgumentsPlugin(): ApolloServerPlugin<BaseContext> {
  // Apollo caches parsed documents, so one walk per distinct operation, not per request.
  const checks = new WeakMap<DocumentNode, Map<string, DocumentCheck>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, request, operation }) {
          let perOperation = checks.get(document);
          if (!perOperation) checks.set(document, (perOperation = new Map()));
          const key = operation?.name?.value ?? '';
          let check = perOperation.get(key);
          if (!check) perOperation.set(key, (check = checkDocument(document, schema, operation)));
          const problems = [...check.literalProblems];
          const variables = request.variables ?? {};
          for (const { name, where } of check.cprVariables) {
            if (!jsonCprIsValid(variables[name])) {
              problems.push(`Variable "$${name}"${where ? ` (${where})` : ''} has an invalid value: ${MESSAGE}.`);
            }
          }
          if (problems.length > 0) {
            throw new GraphQLError(problems.join(' '), { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
        },
      };
    },
  };
}

function checkDocument(document: DocumentNode, schema: GraphQLSchema, operation: OperationDefinitionNode | undefined): DocumentCheck {
  const literalProblems: string[] = [];
  const variableUse = new Map<string, string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        const field = typeInfo.getParentType();
        const fieldDef = typeInfo.getFieldDef();
        if (!argument) return;
        const where = `argument "${node.name.value}" of ${field?.name ?? '?'}.${fieldDef?.name ?? '?'}`;
        if (node.value.kind === Kind.VARIABLE) {
          variableUse.set(node.value.name.value, where);
          return;
        }
        if (!cprValueIsValid(node.value, argument.type, schema)) literalProblems.push(`${capitalize(where)} has an invalid value: ${MESSAGE}.`);
      },
    }),
  );
  const cprDefinitions = (operation?.variableDefinitions ?? []).filter((definition) => getNamedType(typeFromAst(schema, definition.type))?.name === CPR_TYPE);
  // A default is a literal too: checked like one, once per document.
  for (const definition of cprDefinitions) {
    const type = typeFromAst(schema, definition.type);
    // typeFromAst gives the named type: a list default is checked item by item.
    const valid = (v: ValueNode): boolean => (v.kind === Kind.LIST ? v.values.every(valid) : cprValueIsValid(v, type!, schema));
    if (definition.defaultValue && type && !valid(definition.defaultValue)) {
      literalProblems.push(`The default value of variable "$${definition.variable.name.value}" is invalid: ${MESSAGE}.`);
    }
  }
  const cprVariables = cprDefinitions.map((definition) => ({ name: definition.variable.name.value, where: variableUse.get(definition.variable.name.value) }));
  return { literalProblems, cprVariables };
}

/** Literal values of CPR type (also inside lists and input objects) must parse; variables are checked separately. */
function cprValueIsValid(value: ValueNode, type: GraphQLInputType, schema: GraphQLSchema): boolean {
  if (value.kind === Kind.VARIABLE || value.kind === Kind.NULL) return true;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const items = value.kind === Kind.LIST ? value.values : [value];
    return items.every((item) => cprValueIsValid(item, inner.ofType, schema));
  }
  if (isInputObjectType(inner) && value.kind === Kind.OBJECT) {
    const fields = inner.getFields();
    return value.fields.every((f) => {
      const fieldType = fields[f.name.value]?.type;
      return fieldType ? cprValueIsValid(f.value, fieldType, schema) : true;
    });
  }
  if (getNamedType(inner).name !== CPR_TYPE) return true;
  return value.kind === Kind.STRING && parseCpr(value.value) !== undefined;
}

function jsonCprIsValid(value: unknown): boolean {
  if (value === undefined || value === null) return true; // non-null is graphql-js's to enforce
  if (Array.isArray(value)) return value.every(jsonCprIsValid);
  return typeof value === 'string' && parseCpr(value) !== undefined;
}

function typeFromAst(schema: GraphQLSchema, node: import('graphql').TypeNode): GraphQLInputType | undefined {
  if (node.kind === Kind.NON_NULL_TYPE || node.kind === Kind.LIST_TYPE) return typeFromAst(schema, node.type);
  return schema.getType(node.name.value) as GraphQLInputType | undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
