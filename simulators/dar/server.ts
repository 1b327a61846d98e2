/**
 * DAR simulator: REST shaped as Datafordeler DAR v1 (DAR 2.3.4 JSON schemas). An Adresse nests
 * its whole Husnummer (with navngivenVej, kommuneinddeling and postnummer).
 *
 *   GET /DAR/DAR/1/rest/adresse?Id={adresse id}
 *   GET /DAR/DAR/1/rest/adresse?Kommunekode=0101&Vejkode=1234   (the addresses on that road part)
 *   … &page=2&pagesize=100                                        (one page of them)
 *
 * Like the real service, `adresse` has no house-number, floor or door filter (its Husnummer
 * parameter is the husnummer's UUID): a client looking up the address CPR gives reads the road
 * part and matches husnummer, etage and dør itself.
 *
 * Like the real service, answers are paged, `pagesize` defaulting to 100 (DAR REST service
 * description, "Default paging-størrelse: 100", confluence.sdfi.dk/x/NpXRAQ). Not documented
 * there, so our assumptions: `page` counts from 1, a `pagesize` above the cap is cut to the cap,
 * a page past the end is an empty list.
 */
import { buildWorld, type AccessAddress, type Address, type World } from '../data/world';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../core/simulator';
import { json, queryParam, refusedServiceUser, type ServiceUser } from '../core/rest';

const UPDATED = '2026-10-01T03:34:57.6369+02:00';
const REGISTERED = '2018-05-02T10:11:12.123456+02:00';
/** DAR status "3": gældende (current) */
const CURRENT = '3';

/** DAR's default page size (DAR REST service description, confluence.sdfi.dk/x/NpXRAQ). */
export const DAR_DEFAULT_PAGE_SIZE = 100;
/**
 * Largest `pagesize` answered. The DAR service descriptions we found name the default only, not a
 * cap: this value is our assumption, hence an option.
 */
export const DAR_MAX_PAGE_SIZE = 1_000;

export interface DarSimulatorOptions extends SimulatorOptions {
  world?: World;
  /** Page size when the request gives no `pagesize`. @default 100 (DAR's) */
  defaultPageSize?: number;
  /** Largest page answered; a larger `pagesize` is cut to it. @default 1000 */
  maxPageSize?: number;
  /** Answer only calls that carry this service user's `username` and `password`; any call when absent. */
  serviceUser?: ServiceUser;
}

export async function startDarSimulator(options: DarSimulatorOptions = {}): Promise<RunningSimulator> {
  const world = options.world ?? buildWorld();
  const defaultPageSize = options.defaultPageSize ?? DAR_DEFAULT_PAGE_SIZE;
  const maxPageSize = options.maxPageSize ?? DAR_MAX_PAGE_SIZE;
  const byRoad = new Map<string, Address[]>();
  for (const address of world.addresses.values()) {
    const access = world.accessAddresses.get(address.accessAddressId)!;
    const key = `${access.municipalityCode}|${access.streetCode}`;
    byRoad.set(key, [...(byRoad.get(key) ?? []), address]);
  }

  return startSimulator(
    {
      name: 'dar',
      renderFault: () => json(500, { code: 'InternalError', message: 'DAR service error' }),
      handle: (request) => {
        // Refused at the door: not recorded, it never reached the register.
        const refused = refusedServiceUser(request, options.serviceUser);
        if (refused) return { response: refused };
        if (request.url.pathname.toLowerCase() !== '/dar/dar/1/rest/adresse') {
          return { response: json(404, { code: 'NotFound', message: 'unknown method' }) };
        }
        const id = queryParam(request.url, 'Id');
        const municipality = queryParam(request.url, 'Kommunekode');
        const road = queryParam(request.url, 'Vejkode');
        const page = positiveInt(queryParam(request.url, 'page'), 1);
        const pageSize = positiveInt(queryParam(request.url, 'pagesize'), defaultPageSize);
        if (page === undefined || pageSize === undefined) {
          return { response: json(400, { code: 'BadRequest', message: 'page and pagesize must be whole numbers from 1' }) };
        }
        const size = Math.min(pageSize, maxPageSize);
        const onePage = (all: readonly Address[]) => all.slice((page - 1) * size, page * size).map((a) => addressJson(world, a));
        // Page 1 keeps the unpaged key, so a look-up that one page answers is recorded as before.
        const pageSuffix = page > 1 ? ` page:${page}` : '';
        if (id) {
          const address = world.addresses.get(id);
          return { response: json(200, onePage(address ? [address] : [])), record: { operation: 'adresse', key: `id:${id}${pageSuffix}` } };
        }
        if (municipality && road) {
          const key = `${municipality.padStart(4, '0')}|${road.padStart(4, '0')}`;
          return { response: json(200, onePage(byRoad.get(key) ?? [])), record: { operation: 'adresse', key: `vej:${key}${pageSuffix}` } };
        }
        return { response: json(400, { code: 'BadRequest', message: 'give Id, or Kommunekode and Vejkode' }) };
      },
    },
    options,
  );
}

/** A query value as a whole number from 1; `fallback` when absent; undefined when not one. */
function positiveInt(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  return /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
}

function versioned(namespace: string, id: string) {
  return {
    datafordelerOpdateringstid: UPDATED,
    forretningshændelse: '4',
    forretningsområde: '54.15.10.25',
    forretningsproces: '0',
    id_lokalId: id,
    id_namespace: `http://data.gov.dk/dar/${namespace}`,
    registreringFra: REGISTERED,
    registreringsaktør: 'DAR',
    registreringTil: null,
    status: CURRENT,
    virkningFra: REGISTERED,
    virkningsaktør: 'Konvertering2017',
    virkningTil: null,
  };
}

function addressJson(world: World, address: Address) {
  const access = world.accessAddresses.get(address.accessAddressId)!;
  return {
    ...versioned('adresse', address.id),
    adressebetegnelse: address.text,
    bygning: access.buildingId,
    dørbetegnelse: address.door ?? '',
    etagebetegnelse: address.floor ?? '',
    husnummer: husnummerJson(world, access),
  };
}

function husnummerJson(world: World, access: AccessAddress) {
  const municipality = world.municipalities.find((m) => m.code === access.municipalityCode)!;
  const roadId = stableId(`vej/${access.municipalityCode}/${access.streetCode}`);
  return {
    ...versioned('husnummer', access.id),
    adgangsadressebetegnelse: `${access.streetName} ${access.houseNumber}, ${access.postcode} ${access.postcodeName}`,
    adgangTilBygning: access.buildingId,
    husnummertekst: access.houseNumber,
    kommuneinddeling: { id_lokalId: `38${access.municipalityCode}`, kommunekode: access.municipalityCode, navn: municipality.name },
    navngivenVej: {
      ...versioned('navngivenvej', roadId),
      administreresAfKommune: access.municipalityCode,
      vejadresseringsnavn: access.streetName,
      vejnavn: access.streetName,
      navngivenVejKommunedelList: [
        {
          id_lokalId: stableId(`vejdel/${access.municipalityCode}/${access.streetCode}`),
          navngivenVejKommunedel: {
            ...versioned('navngivenvejkommunedel', stableId(`vejdel/${access.municipalityCode}/${access.streetCode}`)),
            kommune: access.municipalityCode,
            navngivenVej: roadId,
            vejkode: access.streetCode,
          },
        },
      ],
    },
    postnummer: { ...versioned('postnummer', stableId(`post/${access.postcode}`)), navn: access.postcodeName, postnr: access.postcode },
  };
}

/** A stable UUID-shaped id derived from a name (roads and postcodes have no id in the world). */
function stableId(name: string): string {
  let a = 2166136261;
  let b = 5381;
  for (const char of name) {
    a = Math.imul(a ^ char.charCodeAt(0), 16777619) >>> 0;
    b = (Math.imul(b, 33) ^ char.charCodeAt(0)) >>> 0;
  }
  const hex = (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
