/**
 * BBR simulator: REST shaped as Datafordeler BBRPublic v1 (BBR 2.4.4 JSON schemas).
 *
 *   GET /BBR/BBRPublic/1/rest/bygning?Husnummer={DAR husnummer id} | Id={bygning id}
 *   GET /BBR/BBRPublic/1/rest/enhed?Bygning={bygning id} | AdresseIdentificerer={DAR adresse id} | Id=
 *   GET /BBR/BBRPublic/1/rest/tekniskanlaeg?Bygning={bygning id} | Id={tekniskAnlæg id}
 *
 * Answers are JSON arrays (one match is still an array; none is `[]`), field names as the
 * schemas spell them, Danish letters included.
 */
import { INSTALLATION_KINDS, type TechnicalInstallation } from '../data/installations';
import { buildWorld, type Building, type Unit, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../core/simulator';
import { json, queryParam, refusedServiceUser, type ServiceUser } from '../core/rest';

const UPDATED = '2026-10-01T02:15:41.902113+02:00';
const REGISTERED = '2019-03-11T14:22:05.318742+01:00';
/** BBR Livscyklus "6": Opført (built) */
const BUILT = '6';

export interface BbrSimulatorOptions extends SimulatorOptions {
  world?: World;
  /** Answer only calls that carry this service user's `username` and `password`; any call when absent. */
  serviceUser?: ServiceUser;
}

export async function startBbrSimulator(options: BbrSimulatorOptions = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const buildingsByAccessAddress = new Map<string, Building>();
  for (const building of world.buildings.values()) buildingsByAccessAddress.set(building.accessAddressId, building);
  const unitByAddress = new Map<string, Unit>();
  for (const unit of world.units.values()) unitByAddress.set(unit.addressId, unit);
  const installationById = new Map<string, TechnicalInstallation>();
  for (const list of world.installationsByBuilding?.values() ?? []) for (const installation of list) installationById.set(installation.id, installation);

  return startSimulator(
    {
      name: 'bbr',
      renderFault: () => json(500, { code: 'InternalError', message: 'BBR service error' }),
      handle: (request) => {
        // Refused at the door: not recorded, it never reached the register.
        const refused = refusedServiceUser(request, options.serviceUser);
        if (refused) return { response: refused };
        const path = request.url.pathname.toLowerCase();
        if (path === '/bbr/bbrpublic/1/rest/bygning') {
          const husnummer = queryParam(request.url, 'Husnummer');
          const id = queryParam(request.url, 'Id');
          const found = husnummer ? buildingsByAccessAddress.get(husnummer) : id ? world.buildings.get(id) : undefined;
          if (!husnummer && !id) return { response: json(400, { code: 'BadRequest', message: 'give Husnummer or Id' }) };
          return {
            response: json(200, found ? [buildingJson(world, found)] : []),
            record: { operation: 'bygning', key: husnummer ? `husnummer:${husnummer}` : `id:${id}` },
          };
        }
        if (path === '/bbr/bbrpublic/1/rest/enhed') {
          const bygning = queryParam(request.url, 'Bygning');
          const adresse = queryParam(request.url, 'AdresseIdentificerer');
          const id = queryParam(request.url, 'Id');
          let units: Unit[];
          if (bygning) units = (world.buildings.get(bygning)?.unitIds ?? []).map((u) => world.units.get(u)!);
          else if (adresse) units = [unitByAddress.get(adresse)].filter((u): u is Unit => u !== undefined);
          else if (id) units = [world.units.get(id)].filter((u): u is Unit => u !== undefined);
          else return { response: json(400, { code: 'BadRequest', message: 'give Bygning, AdresseIdentificerer or Id' }) };
          const key = bygning ? `bygning:${bygning}` : adresse ? `adresse:${adresse}` : `id:${id}`;
          return { response: json(200, units.map((u) => unitJson(world, u))), record: { operation: 'enhed', key } };
        }
        if (path === '/bbr/bbrpublic/1/rest/tekniskanlaeg') {
          const bygning = queryParam(request.url, 'Bygning');
          const id = queryParam(request.url, 'Id');
          let installations: readonly TechnicalInstallation[];
          if (bygning) installations = world.installationsByBuilding?.get(bygning) ?? [];
          else if (id) installations = [installationById.get(id)].filter((i): i is TechnicalInstallation => i !== undefined);
          else return { response: json(400, { code: 'BadRequest', message: 'give Bygning or Id' }) };
          const key = bygning ? `bygning:${bygning}` : `id:${id}`;
          return { response: json(200, installations.map((i) => installationJson(world, i))), record: { operation: 'tekniskanlaeg', key } };
        }
        return { response: json(404, { code: 'NotFound', message: 'unknown method' }) };
      },
    },
    options,
  );
}

const BUSINESS_EVENT = { bygning: 'Bygning', enhed: 'Enhed', tekniskanlaeg: 'TekniskAnlæg' } as const;

function common(namespace: keyof typeof BUSINESS_EVENT, id: string, municipalityCode: string) {
  return {
    datafordelerOpdateringstid: UPDATED,
    forretningshændelse: BUSINESS_EVENT[namespace],
    forretningsområde: '54.15.05.05',
    forretningsproces: '0',
    id_lokalId: id,
    id_namespace: `http://data.gov.dk/bbr/${namespace}`,
    kommunekode: municipalityCode,
    registreringFra: REGISTERED,
    registreringsaktør: 'BBR',
    registreringTil: null,
    status: BUILT,
    virkningFra: REGISTERED,
    virkningsaktør: 'Registerfører',
    virkningTil: null,
  };
}

function buildingJson(world: World, building: Building) {
  const units = building.unitIds.map((id) => world.units.get(id)!);
  const residential = units.filter((u) => u.usageCode.startsWith('1')).reduce((sum, u) => sum + u.residentialArea, 0);
  return {
    ...common('bygning', building.id, building.municipalityCode),
    byg007Bygningsnummer: 1,
    byg021BygningensAnvendelse: building.usageCode,
    byg024AntalLejlighederMedKøkken: units.length,
    byg026Opførelsesår: building.yearBuilt,
    byg038SamletBygningsareal: building.totalArea,
    byg039BygningensSamledeBoligAreal: residential,
    byg041BebyggetAreal: building.builtArea,
    byg054AntalEtager: building.floors,
    husnummer: building.accessAddressId,
    etageList: [],
    opgangList: [],
  };
}

function unitJson(world: World, unit: Unit) {
  const building = world.buildings.get(unit.buildingId)!;
  return {
    ...common('enhed', unit.id, building.municipalityCode),
    adresseIdentificerer: unit.addressId,
    bygning: unit.buildingId,
    enh020EnhedensAnvendelse: unit.usageCode,
    enh023Boligtype: '1',
    enh026EnhedensSamledeAreal: unit.area,
    enh027ArealTilBeboelse: unit.residentialArea,
    enh031AntalVærelser: unit.rooms,
  };
}

function installationJson(world: World, installation: TechnicalInstallation) {
  const building = world.buildings.get(installation.buildingId)!;
  const solar = installation.classificationCode === INSTALLATION_KINDS.solar;
  return {
    ...common('tekniskanlaeg', installation.id, installation.municipalityCode),
    bygning: installation.buildingId,
    enhed: null,
    grund: null,
    husnummer: building.accessAddressId,
    jordstykke: null,
    tek007Anlægsnummer: installation.number,
    tek020Klassifikation: installation.classificationCode,
    tek024Etableringsår: installation.yearEstablished,
    tek036Rumfang: installation.volume,
    tek037Areal: installation.area,
    tek067Fabrikationsår: installation.yearManufactured,
    tek103FabrikatOliefyr: solar ? null : installation.manufacturer,
    tek104FabrikatSolcelleanlægSolvarme: solar ? installation.manufacturer : null,
  };
}
