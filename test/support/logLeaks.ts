/**
 * What must never be in a log line, judged from the seeded world and nothing the code under test
 * decides: a CPR number of one of its persons (ten digits, or DDMMYY-SSSS), a person's name
 * (given and family name, with or without the middle name), an address of the world (street and
 * house number), or anything shaped like a JSON Web Token. Used by the log witness
 * (logWitness.ts) on every line of every test file, and once more over the whole run.
 *
 * It shares no code with runtime/redact.ts or runtime/log.ts: an oracle must not be able to
 * agree with a bug.
 */
import { buildWorld } from '../../simulators/data/world';
import { familyNames, femaleGivenNames, maleGivenNames, middleNames, streetNames } from '../../simulators/data/names';

interface Oracle {
  cprs: ReadonlySet<string>;
  names: ReadonlySet<string>;
  addresses: ReadonlySet<string>;
}

let oracle: Oracle | undefined;

function theWorld(): Oracle {
  if (oracle) return oracle;
  const world = buildWorld();
  const cprs = new Set<string>();
  const names = new Set<string>();
  for (const person of world.persons.values()) {
    cprs.add(person.cpr);
    names.add(`${person.givenName} ${person.familyName}`);
    if (person.middleName) names.add(`${person.givenName} ${person.middleName} ${person.familyName}`);
  }
  const addresses = new Set<string>();
  for (const access of world.accessAddresses.values()) addresses.add(`${access.streetName} ${access.houseNumber}`);
  return (oracle = { cprs, names, addresses });
}

const alternatives = (words: readonly string[]) => words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
/** Ten digits, with or without the dash after six, not inside a longer run of digits. */
const CPR_SHAPED = /(?<!\d)(\d{6})-?(\d{4})(?!\d)/g;
const NAME_SHAPED = new RegExp(
  `(?<![\\p{L}])(${alternatives([...femaleGivenNames, ...maleGivenNames])}) (?:(${alternatives(middleNames)}) )?(${alternatives(familyNames)})(?![\\p{L}])`,
  'gu',
);
const ADDRESS_SHAPED = new RegExp(`(?<![\\p{L}])(${alternatives(streetNames)}) (\\d+[A-Z]?)(?![\\p{L}\\d])`, 'gu');
const JWT_SHAPED = /eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*/;

/** What a line gives away, one description per find (empty: nothing). */
export function leaksIn(line: string): string[] {
  const { cprs, names, addresses } = theWorld();
  const found: string[] = [];
  for (const [, birth, serial] of line.matchAll(CPR_SHAPED)) {
    if (cprs.has(`${birth}${serial}`)) found.push(`the CPR number of a person of the world (${birth}-…)`);
  }
  for (const [, given, middle, family] of line.matchAll(NAME_SHAPED)) {
    const name = middle ? `${given} ${middle} ${family}` : `${given} ${family}`;
    if (names.has(name)) found.push(`the name of a person of the world (${given} …)`);
  }
  for (const [, street, house] of line.matchAll(ADDRESS_SHAPED)) {
    if (addresses.has(`${street} ${house}`)) found.push(`an address of the world (${street} …)`);
  }
  if (JWT_SHAPED.test(line)) found.push('a token (a JWT)');
  return found;
}

/** Every line that gives something away, with what it gives away, the line cut short. */
export function leakingLines(lines: Iterable<string>): { line: string; leaks: string[] }[] {
  const leaking: { line: string; leaks: string[] }[] = [];
  for (const line of lines) {
    const leaks = leaksIn(line);
    if (leaks.length > 0) leaking.push({ line: line.slice(0, 300), leaks });
  }
  return leaking;
}
