/**
 * The files the explorer page loads, all of them served by the gateway itself: React, ReactDOM
 * and GraphiQL as their packages ship them for browsers (UMD builds, production React), the
 * GraphiQL style sheet, and the page's own bootstrap script. Read once, at start, from
 * node_modules: a browser on a machine without internet access gets the whole explorer, and no
 * third party learns who opened it.
 *
 * Each file is served under a name carrying a hash of its content, so it may be cached for a
 * year: a new version of a package (or of the bootstrap) is a new name, never a stale copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExplorerAsset {
  /** Where the gateway serves it, e.g. `/explorer/graphiql.0123456789ab.js`. */
  path: string;
  contentType: string;
  body: Buffer;
}

export interface ExplorerAssets {
  /** In the order the page must load them: React before ReactDOM before GraphiQL before the bootstrap. */
  scripts: readonly ExplorerAsset[];
  /** GraphiQL's style sheet, then the page's own (the sign-in bar). */
  styles: readonly ExplorerAsset[];
}

/** A file the explorer needs is not where its package should have put it. */
export class ExplorerAssetMissing extends Error {
  constructor(
    readonly packageName: string,
    readonly file: string,
    detail: string,
  ) {
    super(`the explorer needs ${file} of the npm package ${packageName} (${detail}); run npm ci, or start the gateway with NODE_ENV=production, which serves no explorer`);
    this.name = 'ExplorerAssetMissing';
  }
}

const SCRIPT = 'text/javascript; charset=utf-8';
const STYLE = 'text/css; charset=utf-8';

/** The packaged files, by package and path inside it; the versions are package.json's. */
const PACKAGED = {
  react: { packageName: 'react', file: 'umd/react.production.min.js' },
  reactDom: { packageName: 'react-dom', file: 'umd/react-dom.production.min.js' },
  graphiql: { packageName: 'graphiql', file: 'dist/index.umd.js' },
  graphiqlStyle: { packageName: 'graphiql', file: 'dist/style.css' },
} as const;

/** The page's own script and style, beside this module (plain JavaScript: the browser runs it as it is). */
const OWN = (file: string) => readFileSync(fileURLToPath(new URL(file, import.meta.url)));

/**
 * `resolveFrom`: where packages are looked for as Node looks for a module's imports; the gateway's
 * own location (a hoisted or a nested install both work), another only in tests of a missing one.
 */
export function loadExplorerAssets(prefix = '/explorer', resolveFrom: string | URL = import.meta.url): ExplorerAssets {
  const require = createRequire(resolveFrom);
  const read = (name: keyof typeof PACKAGED): Buffer => {
    const { packageName, file } = PACKAGED[name];
    let root: string;
    try {
      // Packages' `exports` hide their UMD folders from require.resolve; their package.json is exported.
      root = dirname(require.resolve(`${packageName}/package.json`));
    } catch {
      throw new ExplorerAssetMissing(packageName, file, 'the package is not installed');
    }
    const path = join(root, file);
    if (!existsSync(path)) throw new ExplorerAssetMissing(packageName, file, `no such file in ${root}`);
    return readFileSync(path);
  };
  const asset = (stem: string, extension: string, contentType: string, body: Buffer): ExplorerAsset => ({
    path: `${prefix}/${stem}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${extension}`,
    contentType,
    body,
  });
  return {
    scripts: [
      asset('react', 'js', SCRIPT, read('react')),
      asset('react-dom', 'js', SCRIPT, read('reactDom')),
      asset('graphiql', 'js', SCRIPT, read('graphiql')),
      asset('explorer', 'js', SCRIPT, OWN('./explorer.js')),
    ],
    styles: [asset('graphiql', 'css', STYLE, read('graphiqlStyle')), asset('explorer', 'css', STYLE, OWN('./explorer.css'))],
  };
}
