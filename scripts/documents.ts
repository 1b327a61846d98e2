/**
 * `npm run documents -- DIR [--out FILE] [--manifest FILE] [--schema FILE]`: reads every .graphql
 * operation file under DIR, checks each against the API schema (schema/api.graphql, written by
 * `npm run compose`; or --schema), and writes the typed documents (a TypeScript module, default
 * DIR/generated/operations.ts) and the trusted-documents manifest the gateway loads with
 * TRUSTED_DOCUMENTS (default DIR/generated/trusted-documents.json).
 *
 * Exit 0 when written; 1 when an operation is invalid (each problem named by file and line, nothing
 * written); 2 on bad arguments, a DIR that is no folder, or an API schema that cannot be read.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { buildSchema } from 'graphql';
import { apiSchemaPath } from '../schema/subgraphs';
import { describeProblem, InvalidOperations, operationFilesIn, readClientOperations } from './clientOperations';
import { typedDocuments } from './typedDocuments';

const USAGE = 'usage: npm run documents -- DIR [--out FILE] [--manifest FILE] [--schema FILE]';
const FLAGS = new Set(['--out', '--manifest', '--schema']);

const argv = process.argv.slice(2);
const options = new Map<string, string>();
const positional: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  if (arg.startsWith('--')) {
    const value = argv[i + 1];
    if (!FLAGS.has(arg)) usage(`${arg}: no such option`);
    if (!value || value.startsWith('--')) usage(`${arg}: give a file`);
    options.set(arg, value);
    i++;
  } else positional.push(arg);
}
if (positional.length !== 1) usage(positional.length === 0 ? 'give the folder of operations' : `one folder only, not ${positional.join(', ')}`);

const dir = resolve(positional[0]!);
if (!isFolder(dir)) usage(`${positional[0]}: not a folder`);
const schemaFile = resolve(options.get('--schema') ?? apiSchemaPath);
const out = resolve(options.get('--out') ?? join(dir, 'generated', 'operations.ts'));
const manifestOut = resolve(options.get('--manifest') ?? join(dir, 'generated', 'trusted-documents.json'));
const shown = (path: string) => relative(process.cwd(), path) || '.';

let schemaSdl: string;
let schema;
try {
  schemaSdl = readFileSync(schemaFile, 'utf8');
  schema = buildSchema(schemaSdl);
} catch (error) {
  usage(`${shown(schemaFile)}: cannot be read as the API schema (${(error as Error).message}); npm run compose writes it`);
}

try {
  const files = operationFilesIn(dir);
  console.log(`reading ${files.length} operation file${files.length === 1 ? '' : 's'} under ${shown(dir)}, checked against ${shown(schemaFile)}`);
  const operations = readClientOperations(dir, schema);
  for (const file of operations.files) {
    const names = operations.operations.filter((o) => o.file === file.file).map((o) => `${o.kind} ${o.name}`);
    console.log(`  ${file.file}: ${names.length > 0 ? names.join(', ') : 'fragments only'}`);
  }
  const written = await typedDocuments(operations, schemaSdl, { folderLabel: shown(dir), schemaLabel: shown(schemaFile) });
  replace(out, written.module);
  console.log(`wrote ${shown(out)}: ${operations.operations.length} typed document${operations.operations.length === 1 ? '' : 's'}`);
  replace(manifestOut, written.manifest);
  console.log(`wrote ${shown(manifestOut)}: the trusted-documents manifest (TRUSTED_DOCUMENTS=${shown(manifestOut)}), ${operations.operations.length} operation${operations.operations.length === 1 ? '' : 's'}`);
} catch (error) {
  if (error instanceof InvalidOperations) {
    console.error(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the operations under ${shown(dir)}; nothing written:`);
    for (const problem of error.problems) console.error(`  ${shown(join(dir, problem.file))}${describeProblem(problem).slice(problem.file.length)}`);
    process.exit(1);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

function replace(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const staged = `${path}.${process.pid}.tmp`;
  writeFileSync(staged, text);
  renameSync(staged, path);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
