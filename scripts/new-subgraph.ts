/**
 * `npm run new-subgraph -- NAME [--root DIR]`: writes a working subgraph NAME from the template
 * (subgraphs/NAME/, schema/NAME.graphql, its tests) and adds it to subgraphs.json. Exit 0 when
 * written, 2 on a bad or missing name, 1 when it would overwrite something or not compose.
 */
import { NewSubgraphRefused, newSubgraph } from './newSubgraph';
import { templateNames } from './subgraphTemplate';

const argv = process.argv.slice(2);
const rootAt = argv.indexOf('--root');
const root = rootAt >= 0 ? argv[rootAt + 1] : undefined;
const positional = argv.filter((arg, i) => !arg.startsWith('--') && (rootAt < 0 || i !== rootAt + 1));
if (positional.length !== 1 || (rootAt >= 0 && !root)) {
  console.error('usage: npm run new-subgraph -- NAME [--root DIR]   (NAME: a lowercase identifier, e.g. parking)');
  process.exit(2);
}
const name = positional[0]!;
try {
  const result = await newSubgraph({ name, ...(root ? { root } : {}) });
  const n = templateNames(name);
  console.log(`Wrote the subgraph ${name}:
${result.files.map((f) => `  ${f}`).join('\n')}
It is listed in ${result.listPath} (default URL ${result.url}, scope ${n.scope}).

Next:
  npx vitest run subgraphs/${name}                                       its own tests
  npm run check-subgraph -- --name ${name} --sdl schema/${name}.graphql   composes, breaking changes, @access
  npm run compose                                                        into the supergraph (a running gateway takes it)
  npm start                                                              the whole house, ${name} included
Replace the sample source (subgraphs/${name}/source.ts) with an adapter for your system; docs/subgraphs.md says what a subgraph must do.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof NewSubgraphRefused ? error.exitCode : 1);
}
