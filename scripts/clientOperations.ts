/**
 * A folder of client operations (.graphql files, read recursively), checked against the API schema
 * the way the gateway will check them, each operation with the exact text a client sends for it.
 *
 * The text is the operation and the fragments it uses, printed by graphql-js: it does not depend
 * on how a file is laid out or commented, so reformatting a file does not change what the
 * trusted-documents manifest lists, and a fragment shared by files travels with each operation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  Source,
  specifiedRules,
  UniqueOperationNamesRule,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** One operation a client may send. */
export interface ClientOperation {
  name: string;
  kind: OperationDefinitionNode['operation'];
  /** The file it is in, relative to the folder. */
  file: string;
  /** What the client sends as `query`, byte for byte: the operation, then the fragments it uses. */
  text: string;
}

/** One file as read: its name relative to the folder, and its parsed definitions. */
export interface OperationFile {
  file: string;
  document: DocumentNode;
}

export interface ClientOperations {
  files: OperationFile[];
  operations: ClientOperation[];
}

/** What is wrong, where: the file relative to the folder, and the line and column when known. */
export interface OperationProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** The folder's operations cannot be used; every problem is listed. */
export class InvalidOperations extends Error {
  constructor(readonly problems: OperationProblem[]) {
    super(problems.map(describeProblem).join('\n'));
    this.name = 'InvalidOperations';
  }
}

export function describeProblem(p: OperationProblem): string {
  return `${p.file}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`;
}

/** The .graphql files under a folder, relative to it, in a stable order. */
export function operationFilesIn(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.graphql')) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

/** Reads and checks every operation file under `dir`; throws InvalidOperations with all problems found. */
export function readClientOperations(dir: string, schema: GraphQLSchema): ClientOperations {
  const problems: OperationProblem[] = [];
  const files: OperationFile[] = [];
  for (const file of operationFilesIn(dir)) {
    try {
      files.push({ file, document: parse(new Source(readFileSync(join(dir, file), 'utf8'), file)) });
    } catch (error) {
      problems.push(problemOf(error, file));
    }
  }
  if (problems.length > 0) throw new InvalidOperations(problems);
  if (files.length === 0) throw new InvalidOperations([{ file: '.', message: 'no .graphql file with an operation in this folder' }]);
  return checkOperations(files, schema);
}

/** The operations of parsed files, checked against the schema as one set: names unique, every fragment known and used. */
export function checkOperations(files: OperationFile[], schema: GraphQLSchema): ClientOperations {
  const problems: OperationProblem[] = [];
  const operations = new Map<string, { node: OperationDefinitionNode; file: string }>();
  const fragments = new Map<string, { node: FragmentDefinitionNode; file: string }>();
  for (const { file, document } of files) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        const at = where(definition, file);
        if (!definition.name) {
          problems.push({ ...at, message: 'an operation needs a name: the typed document and the manifest are named by it' });
          continue;
        }
        const name = definition.name.value;
        const first = operations.get(name);
        if (first) problems.push({ ...at, message: `the operation name ${name} is taken already, at ${placeOf(first.node, first.file)}; operation names must be unique` });
        else operations.set(name, { node: definition, file });
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const name = definition.name.value;
        const first = fragments.get(name);
        if (first) problems.push({ ...where(definition, file), message: `the fragment name ${name} is taken already, at ${placeOf(first.node, first.file)}; fragment names must be unique` });
        else fragments.set(name, { node: definition, file });
      } else {
        problems.push({ ...where(definition, file), message: `only operations and fragments belong here, not a ${definition.kind}` });
      }
    }
  }
  if (problems.length === 0 && operations.size === 0) problems.push({ file: '.', message: 'the files define no operation' });
  if (problems.length > 0) throw new InvalidOperations(problems);

  // One document of everything: a fragment is checked once, and one no operation uses is refused.
  const all: DocumentNode = { kind: Kind.DOCUMENT, definitions: files.flatMap((f) => f.document.definitions) };
  const rules = specifiedRules.filter((rule) => rule !== UniqueOperationNamesRule);
  const errors = validate(schema, all, rules);
  if (errors.length > 0) throw new InvalidOperations(errors.map((e) => problemOf(e, fileOf(e) ?? '.')));

  return {
    files,
    operations: [...operations.entries()].map(([name, { node, file }]) => ({
      name,
      kind: node.operation,
      file,
      text: print({ kind: Kind.DOCUMENT, definitions: [node, ...fragmentsUsedBy(node, fragments)] }),
    })),
  };
}

/** The fragments an operation spreads, directly or through other fragments, in the order first met. */
function fragmentsUsedBy(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, { node: FragmentDefinitionNode }>): DefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const follow = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name)?.node;
        if (!fragment || used.has(name)) return;
        used.set(name, fragment);
        follow(fragment);
      },
    });
  follow(operation);
  return [...used.values()];
}

/** A definition's file and the line and column it starts at, for a problem about it. */
function where(node: DefinitionNode, file: string): Omit<OperationProblem, 'message'> {
  const token = node.loc?.startToken;
  return token ? { file, line: token.line, column: token.column } : { file };
}

function placeOf(node: DefinitionNode, file: string): string {
  return describeProblem({ ...where(node, file), message: '' }).replace(/: $/, '');
}

function fileOf(error: GraphQLError): string | undefined {
  return error.nodes?.find((n) => n.loc)?.loc?.source.name ?? error.source?.name;
}

function problemOf(error: unknown, file: string): OperationProblem {
  if (error instanceof GraphQLError) {
    const at = error.locations?.[0];
    return { file, ...(at ? { line: at.line, column: at.column } : {}), message: error.message };
  }
  return { file, message: error instanceof Error ? error.message : String(error) };
}
