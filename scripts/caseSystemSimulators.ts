/**
 * Each municipality's ESDH simulator, of the vendor the world says it runs (`esdhVendor` in
 * simulators/data/world.ts), and the tenant registry entry that reaches it: the demo REST ESDH,
 * or Acadre v7 over SOAP behind HTTP Basic. Acadre's credentials are made for each run and kept
 * in a file beside the registry, which names the file, as a deployment's registry names where its
 * secrets are kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseSystemEntry } from '../adapters/esdh';
import { ACADRE_SERVICE_PATH, startAcadreSimulator } from '../simulators/acadre/server';
import type { RunningSimulator, SimulatorOptions } from '../simulators/core/simulator';
import type { Municipality, World } from '../simulators/data/world';
import { startEsdhSimulator } from '../simulators/esdh/server';

export interface RunningCaseSystemSimulator extends RunningSimulator {
  /** The registry's `esdh` entry for this simulator; a secret it names is written into `registryDir`. */
  registryEntry(registryDir: string): CaseSystemEntry;
}

/** The account the local stack's subgraphs call Acadre as, and act for. */
const ACADRE_USER = 'kommunegraf';

export async function startCaseSystemSimulator(world: World, municipality: Municipality, options: SimulatorOptions): Promise<RunningCaseSystemSimulator> {
  const municipalityCode = municipality.code;
  if (municipality.esdhVendor === 'acadre') {
    const credentials = { username: ACADRE_USER, password: randomBytes(18).toString('base64url') };
    const simulator = await startAcadreSimulator({ world, municipalityCode, credentials, ...options });
    return {
      ...simulator,
      registryEntry: (registryDir) => {
        const file = `acadre-${municipalityCode}.credentials`;
        mkdirSync(registryDir, { recursive: true });
        writeFileSync(join(registryDir, file), `${credentials.username}:${credentials.password}\n`, { mode: 0o600 });
        return { kind: 'acadre-v7', endpoint: `${simulator.url}${ACADRE_SERVICE_PATH}`, credentials: { file }, actingForUser: ACADRE_USER };
      },
    };
  }
  const simulator = await startEsdhSimulator({ world, municipalityCode, ...options });
  return { ...simulator, registryEntry: () => ({ kind: 'rest-demo', url: simulator.url }) };
}

/** The http(s) locations a registry's `esdh` entry names, whatever its kind: where its ESDH is. */
export function esdhUrls(entry: unknown): string[] {
  const fields = entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
  return [fields['url'], fields['endpoint'], fields['wsdl']].filter((value): value is string => typeof value === 'string' && /^https?:/i.test(value));
}
