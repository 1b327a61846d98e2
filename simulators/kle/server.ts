/**
 * KLE simulator: serves KL's subject plan (KLE-Emneplan) as one XML document, the way KLE is
 * distributed (KLE-Emneplan-version-2-0.xsd: Hovedgruppe → Gruppe → Emne, each with its
 * number and title). Holds the subset of main groups the synthetic cases use.
 *
 *   GET /kle/emneplan.xml
 */
import { XMLBuilder } from 'fast-xml-parser';
import { buildWorld, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../core/simulator';

export const KLE_PLAN_PATH = '/kle/emneplan.xml';

export async function startKleSimulator(options: SimulatorOptions & { world?: World } = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const plan = emneplanXml(world);
  return startSimulator(
    {
      name: 'kle',
      renderFault: () => ({ status: 503, contentType: 'text/plain', body: 'KLE-online er lukket for vedligehold' }),
      handle: (request) => {
        if (request.method !== 'GET' || request.url.pathname !== KLE_PLAN_PATH) {
          return { response: { status: 404, contentType: 'text/plain', body: 'not found' } };
        }
        return { response: { status: 200, contentType: 'application/xml; charset=utf-8', body: plan }, record: { operation: 'emneplan', key: 'all' } };
      },
    },
    options,
  );
}

function emneplanXml(world: World): string {
  const groups = new Map<string, Map<string, { nr: string; title: string }[]>>();
  for (const subject of world.kle.values()) {
    const [main, group] = subject.number.split('.') as [string, string];
    const byGroup = groups.get(main) ?? new Map<string, { nr: string; title: string }[]>();
    groups.set(main, byGroup);
    const key = `${main}.${group}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), { nr: subject.number, title: subject.title }]);
  }
  const admin = { OprettetDato: '2000-01-01' };
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'KLE-Emneplan': {
      UdgivelsesDato: '2026-10-01',
      Hovedgruppe: [...groups.entries()].sort().map(([main, byGroup]) => ({
        HovedgruppeNr: main,
        HovedgruppeTitel: world.kleGroupTitles.get(main) ?? main,
        HovedgruppeAdministrativInfo: admin,
        Gruppe: [...byGroup.entries()].sort().map(([group, subjects]) => ({
          GruppeNr: group,
          GruppeTitel: world.kleGroupTitles.get(group) ?? group,
          GruppeAdministrativInfo: admin,
          Emne: subjects.map((s) => ({ EmneNr: s.nr, EmneTitel: s.title, EmneAdministrativInfo: admin })),
        })),
      })),
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true }).build(document) as string;
}
