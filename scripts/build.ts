/**
 * `npm run build`: the gateway as one JavaScript module, `dist/start-gateway.mjs`, to run with plain
 * `node` in production (`NODE_ENV=production node dist/start-gateway.mjs`; settings as for
 * `npm run start:gateway`). The project's TypeScript is bundled and its types stripped by esbuild;
 * packages stay in node_modules, imported as they are. Running without the TypeScript loader
 * keeps its hooks thread and transform caches out of the gateway's memory (docs/operators.md).
 *
 * A module that finds its files by `import.meta.url` (the supergraph beside schema/subgraphs.ts,
 * the explorer's assets) still finds them: in the bundle, each such module's `import.meta.url` is
 * the URL of its own source file, written relative to the bundle, so the checkout may move.
 * The subgraphs are not built: they load their modules by the names `subgraphs.json` lists.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What `npm run build` writes, from the project's root. */
export const BUILT_ENTRIES: readonly { entry: string; out: string }[] = [{ entry: 'scripts/start-gateway.ts', out: 'start-gateway.mjs' }];

/** Each project module's `import.meta.url` as its source file's URL, relative to the bundle in `outdir`. */
function ownModuleUrls(outdir: string): Plugin {
  return {
    name: 'own-module-urls',
    setup(setup) {
      setup.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const own = JSON.stringify(relative(outdir, args.path).split('\\').join('/'));
        return { contents: text.replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`), loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Bundles `entries` (paths from the project's root) into `outdir`; returns the files written. */
export async function buildBundles(outdir: string = resolve(ROOT, 'dist'), entries: readonly { entry: string; out: string }[] = BUILT_ENTRIES): Promise<string[]> {
  const written: string[] = [];
  for (const { entry, out } of entries) {
    const outfile = resolve(outdir, out);
    await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'warning',
      plugins: [ownModuleUrls(dirname(outfile))],
    });
    written.push(outfile);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const written = await buildBundles();
  console.log(`built ${written.map((f) => relative(ROOT, f)).join(', ')} in ${Math.round(performance.now() - started)} ms; run: NODE_ENV=production node ${relative(ROOT, written[0]!)}`);
}
