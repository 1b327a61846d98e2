/**
 * `npm run codegen [-- --config FILE]`: writes the resolver types of every listed subgraph
 * (subgraphs/<name>/generated/resolvers.ts) from its SDL and its parents.ts (scripts/resolverTypes.ts),
 * and the sample client operations as files (examples/operations/, scripts/sampleOperations.ts).
 * Run it after changing an SDL, a parents module or a sample operation; the files are committed,
 * and test/codegen.test.ts fails while one is stale.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { loadSubgraphList } from '../schema/subgraphs';
import { generateResolverTypes, resolverTypesInput, resolverTypesPath } from './resolverTypes';
import { sampleOperationFiles, staleSampleOperationFiles } from './sampleOperations';

const argv = process.argv.slice(2);
const configAt = argv.indexOf('--config');
const config = configAt >= 0 ? argv[configAt + 1] : undefined;
if ((configAt >= 0 && (!config || config.startsWith('--'))) || argv.some((a, i) => a !== '--config' && i !== configAt + 1)) {
  console.error('usage: npm run codegen [-- --config FILE]');
  process.exit(2);
}

try {
  const list = loadSubgraphList(config ?? (process.env['SUBGRAPHS_CONFIG'] || undefined));
  for (const entry of list.subgraphs) {
    write(`${entry.name}: resolver types`, resolverTypesPath(entry), await generateResolverTypes(resolverTypesInput(entry, list)));
  }
  for (const { path, text } of sampleOperationFiles()) write('sample operation', path, text);
  for (const path of staleSampleOperationFiles()) {
    rmSync(path);
    console.log(`sample operation: removed ${relative(process.cwd(), path)}, no longer a sample`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

/** Writes a file unless it holds the text already, in one step (written beside it, then renamed). */
function write(what: string, path: string, text: string): void {
  const shown = relative(process.cwd(), path);
  if (readOrNothing(path) === text) {
    console.log(`${what}: ${shown} is current`);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const staged = `${path}.${process.pid}.tmp`;
  writeFileSync(staged, text);
  renameSync(staged, path);
  console.log(`${what}: wrote ${shown}`);
}

function readOrNothing(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
