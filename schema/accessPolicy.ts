/**
 * The graph's access policy, read from the supergraph: what the subgraphs declared with
 * `@access(personal:, roles:, scopes:, purposes:)` (schema/access.graphql), composed with
 * `@composeDirective`. Apollo's gateway keeps the directive out of the API schema, so the policy
 * is read from the supergraph SDL once, at start.
 *
 * A graph that does not link the access spec has an empty policy: nothing in it is personal
 * and no field needs a grant (the gateway serves graphs that are not ours).
 */
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
  type InterfaceTypeDefinitionNode,
  type InterfaceTypeExtensionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';

/** The access spec the subgraphs link (`@link(url: ".../access/v1.0")`). */
export const ACCESS_SPEC_PREFIX = 'https://specs.kommune-graph.dk/access/';

/**
 * One grant: any one of its roles, or every scope of any one of its scope sets, meets it (none
 * named: any caller); and, with `purposes`, an organisation's purpose must allow one of them (a
 * citizen reading their own data needs no purpose's leave).
 */
export interface AccessGrant {
  roles?: readonly string[];
  scopes?: readonly (readonly string[])[];
  purposes?: readonly string[];
}

/** What a caller brings to a grant. */
export interface Grantee {
  roles: readonly string[];
  scopes: readonly string[];
  /** The uses the caller's purpose allows, from the purpose catalogue (none: absent). */
  purposeUses?: readonly string[];
}

/** The role whose holder reads only their own data, under no organisation's purpose. */
const DATA_SUBJECT_ROLE = 'citizen';

export interface AccessPolicy {
  /** True when the graph declares no access rules at all. */
  readonly empty: boolean;
  /** Whether `Type.field` reaches personal data (declared on the field or on its type). */
  isPersonal(typeName: string, fieldName: string): boolean;
  /** The grants a caller must all meet to read `Type.field` (its type's, then its own). */
  grantsFor(typeName: string, fieldName: string): readonly AccessGrant[];
  /** The type of use declared for a root field (`@access(use:)`), if any. */
  useOf(typeName: string, fieldName: string): UseOfData | undefined;
}

/** The type of use an access record gives a field's reads or writes. */
export type UseOfData = 'read' | 'search' | 'create' | 'update';
const USES: ReadonlySet<string> = new Set<UseOfData>(['read', 'search', 'create', 'update']);

interface Rule {
  personal: boolean;
  grant: AccessGrant | undefined;
  use: UseOfData | undefined;
}

/** Whether a caller meets one grant. */
export function meetsGrant(grant: AccessGrant, who: Grantee): boolean {
  const named = grant.roles !== undefined || grant.scopes !== undefined;
  const granted =
    !named || Boolean(grant.roles?.some((role) => who.roles.includes(role))) || Boolean(grant.scopes?.some((set) => set.every((scope) => who.scopes.includes(scope))));
  if (!granted || !grant.purposes) return granted;
  return who.roles.includes(DATA_SUBJECT_ROLE) || grant.purposes.some((use) => who.purposeUses?.includes(use) ?? false);
}

/** What a grant asks for, in words for an error message: "the role caseworker or the scope cases:read". */
export function describeGrant(grant: AccessGrant): string {
  const options = [
    ...(grant.roles ?? []).map((role) => `the role ${role}`),
    ...(grant.scopes ?? []).map((set) => `${set.length > 1 ? 'the scopes' : 'the scope'} ${set.join(' and ')}`),
  ];
  const who = options.length > 0 ? options.join(' or ') : grant.purposes ? 'a caller' : 'a grant nobody has';
  if (!grant.purposes) return who;
  const uses = grant.purposes.join(' or ');
  return `${who}, and for an organisation a purpose that allows ${uses} (the citizen themselves needs none)`;
}

export function readAccessPolicy(supergraphSdl: string | DocumentNode): AccessPolicy {
  const types = new Map<string, Rule>();
  const fields = new Map<string, Rule>();
  for (const { typeName, fieldName, ...rule } of accessDeclarations(supergraphSdl)) {
    if (fieldName === null) types.set(typeName, rule);
    else fields.set(`${typeName}.${fieldName}`, rule);
  }
  const grants = new Map<string, readonly AccessGrant[]>();
  return {
    empty: types.size === 0 && fields.size === 0,
    isPersonal: (typeName, fieldName) => Boolean(types.get(typeName)?.personal || fields.get(`${typeName}.${fieldName}`)?.personal),
    useOf: (typeName, fieldName) => fields.get(`${typeName}.${fieldName}`)?.use,
    grantsFor(typeName, fieldName) {
      const coordinate = `${typeName}.${fieldName}`;
      let found = grants.get(coordinate);
      if (!found) {
        found = [types.get(typeName)?.grant, fields.get(coordinate)?.grant].filter((g): g is AccessGrant => g !== undefined);
        grants.set(coordinate, found);
      }
      return found;
    },
  };
}

/** One `@access` as written: on a type (`field` null) or on one of its fields. */
export interface AccessDeclaration {
  typeName: string;
  fieldName: string | null;
  personal: boolean;
  grant: AccessGrant | undefined;
  use: UseOfData | undefined;
}

/**
 * Every `@access` an SDL declares (a subgraph's or the supergraph), in document order; none when
 * it does not link the access spec. Throws as readAccessPolicy does on a malformed one.
 */
export function accessDeclarations(sdl: string | DocumentNode): AccessDeclaration[] {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const directiveName = accessDirectiveName(document);
  if (!directiveName) return [];
  const found: AccessDeclaration[] = [];
  for (const definition of document.definitions) {
    if (!declaresFields(definition)) continue;
    const typeName = definition.name.value;
    const typeRule = ruleOf(definition.directives, directiveName, typeName);
    if (typeRule) found.push({ typeName, fieldName: null, ...typeRule });
    for (const field of definition.fields ?? []) {
      const rule = ruleOf(field.directives, directiveName, `${typeName}.${field.name.value}`);
      if (rule) found.push({ typeName, fieldName: field.name.value, ...rule });
    }
  }
  return found;
}

/** An object or interface type, defined or extended: where fields, and so `@access`, are declared. */
export function declaresFields(
  definition: DefinitionNode,
): definition is ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode {
  return (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_EXTENSION
  );
}

/**
 * The name the supergraph gives the access directive: imported as `@access` (or renamed on
 * import), else the link's namespace (`as:`, by default the spec's name, `access`).
 */
function accessDirectiveName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = argument(link, 'url');
      if (url?.kind !== Kind.STRING || !url.value.startsWith(ACCESS_SPEC_PREFIX)) continue;
      const imports = argument(link, 'import');
      for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
        if (item.kind === Kind.STRING && item.value === '@access') return 'access';
        if (item.kind === Kind.OBJECT) {
          const name = item.fields.find((f) => f.name.value === 'name')?.value;
          const as = item.fields.find((f) => f.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING && name.value === '@access') return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : 'access';
        }
      }
      const as = argument(link, 'as');
      return as?.kind === Kind.STRING ? as.value : 'access';
    }
  }
  return undefined;
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined, name: string, where: string): Rule | undefined {
  const directive = directives?.find((d) => d.name.value === name);
  if (!directive) return undefined;
  const personal = argument(directive, 'personal');
  const roles = stringList(argument(directive, 'roles'), `${where}: @access(roles:)`);
  const scopeSets = argument(directive, 'scopes');
  let scopes: string[][] | undefined;
  if (scopeSets && scopeSets.kind !== Kind.NULL) {
    if (scopeSets.kind !== Kind.LIST) throw new Error(`${where}: @access(scopes:) must be a list of scope lists`);
    scopes = scopeSets.values.map((set) => stringList(set, `${where}: @access(scopes:)`) ?? []);
  }
  const purposes = stringList(argument(directive, 'purposes'), `${where}: @access(purposes:)`);
  const use = argument(directive, 'use');
  if (use && use.kind !== Kind.NULL && (use.kind !== Kind.STRING || !USES.has(use.value))) throw new Error(`${where}: @access(use:) must be one of ${[...USES].join(', ')}`);
  return {
    personal: personal?.kind === Kind.BOOLEAN && personal.value,
    grant: roles || scopes || purposes ? { ...(roles ? { roles } : {}), ...(scopes ? { scopes } : {}), ...(purposes ? { purposes } : {}) } : undefined,
    use: use?.kind === Kind.STRING ? (use.value as UseOfData) : undefined,
  };
}

function stringList(value: ConstValueNode | undefined, where: string): string[] | undefined {
  if (!value || value.kind === Kind.NULL) return undefined;
  const items = value.kind === Kind.LIST ? value.values : [value];
  return items.map((item) => {
    if (item.kind !== Kind.STRING) throw new Error(`${where} must list strings`);
    return item.value;
  });
}
