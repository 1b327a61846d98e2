/**
 * `npm run start:simulator -- <cpr|case-index|bbr|dar|kle|esdh|acadre|nemkonto> [--municipality 0101] [--port N] [--latency MS]`:
 * one legacy simulator on its own, e.g. to run subgraphs against in a test environment. `esdh` is
 * the demo REST ESDH (default 0101); `acadre` is Acadre v7 over SOAP for a municipality the world
 * keeps in Acadre (default 0461), at /acadre/Acadre.CM.PublicServices/SoapAuth/AcadreServiceV7.asmx,
 * asking no credentials.
 * LOG_LEVEL and LOG_FORMAT as for the gateway (runtime/log.ts).
 * SIGINT or SIGTERM (or npm, its parent, gone) stops it: runtime/shutdown.ts.
 */
import { startCprSimulator } from '../simulators/cpr/server';
import { startCaseIndexSimulator } from '../simulators/case-index/server';
import { startBbrSimulator } from '../simulators/bbr/server';
import { startDarSimulator } from '../simulators/dar/server';
import { startKleSimulator } from '../simulators/kle/server';
import { startNemKontoSimulator } from '../simulators/nemkonto/server';
import { startEsdhSimulator } from '../simulators/esdh/server';
import { startAcadreSimulator } from '../simulators/acadre/server';
import { configureLogging, loadLogSettings } from '../runtime/log';
import { serveUntilStopped } from '../runtime/shutdown';

const [kind, ...rest] = process.argv.slice(2);
const option = (flag: string) => {
  const i = rest.indexOf(flag);
  return i >= 0 ? rest[i + 1] : undefined;
};
const port = Number(option('--port') ?? 0);
const latencyMs = Number(option('--latency') ?? 0);
if (!Number.isInteger(port) || port < 0 || !Number.isFinite(latencyMs) || latencyMs < 0) {
  console.error('--port must be a port number and --latency a number of milliseconds');
  process.exit(2);
}
const starters = {
  cpr: () => startCprSimulator({ port, latencyMs }),
  'case-index': () => startCaseIndexSimulator({ port, latencyMs }),
  bbr: () => startBbrSimulator({ port, latencyMs }),
  dar: () => startDarSimulator({ port, latencyMs }),
  kle: () => startKleSimulator({ port, latencyMs }),
  nemkonto: () => startNemKontoSimulator({ port, latencyMs }),
  esdh: () => startEsdhSimulator({ port, latencyMs, municipalityCode: option('--municipality') ?? '0101' }),
  acadre: () => startAcadreSimulator({ port, latencyMs, municipalityCode: option('--municipality') ?? '0461' }),
} as const;
const start = kind ? starters[kind as keyof typeof starters] : undefined;
if (!start) {
  console.error(`usage: npm run start:simulator -- <${Object.keys(starters).join('|')}> [--municipality 0101] [--port N] [--latency MS]`);
  process.exit(2);
}
try {
  configureLogging({ ...loadLogSettings(process.env, `simulator ${kind}`), service: `simulator:${kind}` });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
await serveUntilStopped(`simulator ${kind}`, start, (simulator) => `simulator ${simulator.name} ready at ${simulator.url} (faults: POST ${simulator.url}/__control/fault)`);
