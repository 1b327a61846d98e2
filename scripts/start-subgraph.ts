/**
 * `npm run start:subgraph -- <citizen|case|property>`: one subgraph, for deployments. Legacy
 * system locations come from the JSON file LEGACY_CONFIG names (config/legacy.example.json);
 * PORT and HOST set where it listens (defaults: the port in its default URL, 127.0.0.1).
 */
import { defaultSubgraphUrls, subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { loadLegacyConfig } from '../subgraphs/shared/config';
import { startCitizenSubgraph } from '../subgraphs/citizen';
import { startCaseSubgraph } from '../subgraphs/case';
import { startPropertySubgraph } from '../subgraphs/property';
import { runService } from './runService';

const name = process.argv[2] as SubgraphName | undefined;
if (!name || !subgraphNames.includes(name)) {
  console.error(`usage: npm run start:subgraph -- <${subgraphNames.join('|')}>`);
  process.exit(2);
}
const start = { citizen: startCitizenSubgraph, case: startCaseSubgraph, property: startPropertySubgraph }[name];
await runService(
  () =>
    start(loadLegacyConfig(), {
      port: Number(process.env['PORT'] ?? new URL(defaultSubgraphUrls[name]).port),
      host: process.env['HOST'] ?? '127.0.0.1',
    }),
  (subgraph) => `subgraph ${name} ready at ${subgraph.url}`,
);
