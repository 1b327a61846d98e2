/**
 * The peer gateways are not project dependencies: they are installed by the harness into a folder
 * of their own, bench/.peers (git-ignored), from a package.json written here with pinned versions,
 * and the install is skipped when what is there is already those versions.
 *
 * Node 20: @graphql-hive/gateway 2.15.1 and @graphql-hive/router-runtime 1.4.23 say `node >=20`,
 * but some of what they pull in at its newest says `>=22.15.0` (npm warns EBADENGINE). The
 * overrides below pin those to the newest releases that fit Node 20 and have the same API:
 * - @whatwg-node/promise-helpers 2.x only drops the deprecated `mapMaybePromise` of 1.3.2;
 * - @whatwg-node/disposablestack 0.1.0 has 0.0.6's typings, only its engines and helpers differ;
 * - @graphql-tools/url-loader 9.1.10, the newest on @whatwg-node/fetch 0.10 and sync-fetch 0.6
 *   (9.1.12+ need fetch 0.12 and sync-fetch 0.7, Node 22); only Hive's Laboratory page loads it.
 *
 * Install scripts: npm 11 blocks them unless allowed, and `--ignore-scripts` says so plainly. The
 * only two in the tree (protobufjs 7 and @apollo/protobufjs 1, postinstall) check that a parent
 * package names their version scheme and create an empty folder for their CLI: nothing a gateway
 * uses at run time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../.peers', import.meta.url));

/** The packages the peers need, at the versions measured. */
export const PINNED = {
  '@graphql-hive/gateway': '2.15.1',
  '@graphql-hive/router-runtime': '1.4.23',
  graphql: '16.15.0', // the project's version, the peer dependency of both
} as const;
export type PinnedPackage = keyof typeof PINNED;

const OVERRIDES = {
  '@whatwg-node/promise-helpers': '1.3.2',
  '@whatwg-node/disposablestack': '0.0.6',
  '@graphql-tools/url-loader': '9.1.10',
} as const;

const MANIFEST = {
  name: 'kommune-graph-bench-peers',
  private: true,
  description: 'Written by bench/peers/installPeers.ts for npm run bench:peers: the gateways ours is measured beside. Not project dependencies.',
  type: 'module',
  dependencies: PINNED,
  overrides: OVERRIDES,
};

/** The installed version of a package in bench/.peers, if any. */
export function installedVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function upToDate(): boolean {
  try {
    const written = readFileSync(join(PEERS_DIR, 'package.json'), 'utf8');
    if (written !== `${JSON.stringify(MANIFEST, null, 2)}\n`) return false;
  } catch {
    return false;
  }
  return Object.entries(PINNED).every(([name, version]) => installedVersion(name) === version);
}

export interface PeersInstall {
  /** Installed now (false: already there at the pinned versions). */
  installed: boolean;
  /** Why the install failed, if it did; the packages present may still serve some peers. */
  failure?: string;
}

/**
 * Makes sure bench/.peers holds the pinned versions: `npm install --no-audit --no-fund
 * --ignore-scripts` there when it does not. npm's own output goes to the terminal.
 */
export async function ensurePeers(log: (line: string) => void): Promise<PeersInstall> {
  if (upToDate()) {
    log(`peers present at the pinned versions in ${PEERS_DIR}`);
    return { installed: false };
  }
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(join(PEERS_DIR, 'package.json'), `${JSON.stringify(MANIFEST, null, 2)}\n`);
  log(`installing ${Object.entries(PINNED).map(([n, v]) => `${n}@${v}`).join(', ')} into ${PEERS_DIR} (a minute or two the first time)…`);
  // npm run passes its own settings down as npm_* variables (npm_config_local_prefix among them):
  // left in, the inner install could resolve the project's package.json instead of this folder's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const args = ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'warn'];
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn('npm', args, { cwd: PEERS_DIR, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
  });
  if (code !== 0) return { installed: true, failure: `npm ${args.join(' ')} in ${PEERS_DIR} failed (${code}); see npm's output above` };
  const wrong = Object.entries(PINNED).filter(([name, version]) => installedVersion(name) !== version);
  if (wrong.length > 0) return { installed: true, failure: `after npm install: ${wrong.map(([n, v]) => `${n} is ${installedVersion(n) ?? 'missing'}, not ${v}`).join('; ')}` };
  log('peers installed');
  return { installed: true };
}

/** Whether bench/.peers has a package at its pinned version, or why not. */
export function peerMissing(name: PinnedPackage): string | undefined {
  const version = installedVersion(name);
  if (version === PINNED[name]) return undefined;
  return version ? `${name} ${version} is installed, not the pinned ${PINNED[name]}` : `${name} is not installed in ${PEERS_DIR}${existsSync(PEERS_DIR) ? '' : ' (no such folder)'}`;
}
