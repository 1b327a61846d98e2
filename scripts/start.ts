/**
 * `npm start`: the whole house on localhost — simulators, subgraphs, gateway — for a newcomer.
 * Prints the gateway URL, a sample CPR and a sample query; Ctrl-C stops everything cleanly.
 *
 * PORT sets the gateway's port (default 4000); the other pieces take free ports.
 */
import { formatCpr } from '../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../simulators/data/samples';
import { loadGatewayConfig } from '../gateway/config';
import { localAuditTrail } from '../audit';
import { startLocalStack } from './localStack';

const started = Date.now();
console.log('Starting simulators (CPR, case index, ESDH ×3, BBR, DAR, KLE), subgraphs and gateway…');
const gatewayConfig = loadGatewayConfig();
const audit = await localAuditTrail(process.env['AUDIT_DIR'] ?? '.data/audit');
const stack = await startLocalStack({
  gateway: { port: gatewayConfig.port, host: gatewayConfig.host },
  devIdentityDir: '.data/dev-idp',
  audit: { trail: audit.trail, subjectKey: audit.keys.subjectKey },
}).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Could not start: ${message}`);
  if ((error as { code?: string }).code === 'EADDRINUSE') console.error(`Port ${gatewayConfig.port} is taken; try PORT=4100 npm start`);
  process.exit(1);
});

const samples = sampleCitizens(stack.world);
const sample = samples.get('0101') ?? [...samples.values()][0];
const cpr = sample ? formatCpr(sample.cpr) : '';
const token = await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0101', purpose: 'demo: sagsbehandling' });
const line = '─'.repeat(72);
console.log(`
${line}
Gateway ready in ${Date.now() - started} ms:

  ${stack.gateway.url}

Sample CPR (synthetic, a substitute number): ${cpr}
Other municipalities: ${[...samples.entries()].filter(([code]) => code !== '0101').map(([code, p]) => `${code} ${formatCpr(p.cpr)}`).join(', ')}

Sample query:
${CITIZEN_OVERVIEW_QUERY}

A caseworker of København (development identity provider; \`npm run token -- --help\` for other roles):
  Authorization: Bearer ${token}

Try it:
  curl -s ${stack.gateway.url} -H 'content-type: application/json' \\
    -H 'Authorization: Bearer ${token}' \\
    -d '{"query":"query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } address { text } cases { number title } } }","variables":{"cpr":"${cpr}"}}'

Simulators: ${stack.allSimulators().map((s) => `${s.name} ${s.url}`).join(', ')}
Subgraphs:  ${stack.subgraphs.map((s) => `${s.name} ${s.url}`).join(', ')}
Every access to personal data is recorded in .data/audit: npm run audit -- --subject ${cpr}; npm run audit:verify.
Ctrl-C stops everything.
${line}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping gateway, subgraphs and simulators…`);
  await stack.close();
  await audit.trail.close();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
