/**
 * `npm run check-subgraph -- --name NAME --sdl FILE` (or `--url URL`): composes the candidate with
 * the listed subgraphs and reports composition errors, breaking changes against the supergraph in
 * force, personal data without @access, and roles or scopes that do not exist (scripts/checkSubgraph.ts).
 * Exit 0 when compatible, 1 on any finding, 2 on bad arguments.
 */
import { checkSubgraph } from './checkSubgraph';

const { exitCode, lines } = await checkSubgraph(process.argv.slice(2));
(exitCode === 2 ? console.error : console.log)(lines.join('\n'));
process.exit(exitCode);
