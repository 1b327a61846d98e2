/**
 * `npm run compose [-- --config FILE] [--out FILE] [--api FILE]`: writes the supergraph from the
 * subgraphs the list names (subgraphs.json, or the file --config or SUBGRAPHS_CONFIG names) to the
 * list's `supergraph` file (or --out), and the API schema clients build against (no federation
 * internals) to `api.graphql` beside the list's supergraph (or --api). An SDL file beside the listed ones that the list does not name is
 * refused, not skipped: add it to the list (`npm run new-subgraph` does) or remove it.
 *
 * Each file is replaced in one step (written beside it, then renamed), so a gateway watching the
 * supergraph never reads half of one.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeGraph, loadSubgraphList, unlistedSdlFiles } from '../schema/index';

const argv = process.argv.slice(2);
const option = (flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (!value || value.startsWith('--')) fail(`${flag}: give a file`, 2);
  return value;
};

try {
  const list = loadSubgraphList(option('--config') ?? (process.env['SUBGRAPHS_CONFIG'] || undefined));
  const unlisted = unlistedSdlFiles(list);
  if (unlisted.length > 0) {
    fail(
      `${unlisted.map((f) => relative(process.cwd(), f)).join(', ')}: not in the subgraph list ${relative(process.cwd(), list.path)}, so not composed. ` +
        'Add it there (npm run new-subgraph -- NAME writes a subgraph and its entry) or remove the file.',
      1,
    );
  }
  const out = option('--out') ?? list.supergraphPath;
  const apiOut = option('--api') ?? list.apiSchemaPath;
  const graph = composeGraph(list);
  replace(out, graph.supergraph);
  console.log(`wrote ${out} from ${list.names.join(', ')}`);
  replace(apiOut, graph.api);
  console.log(`wrote ${apiOut}, the API schema for clients`);
} catch (error) {
  fail((error as Error).message, 1);
}

function replace(path: string, text: string): void {
  const staged = `${path}.${process.pid}.tmp`;
  writeFileSync(staged, text);
  renameSync(staged, path);
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}
