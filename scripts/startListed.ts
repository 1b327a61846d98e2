/**
 * Starting a subgraph the list names (subgraphs.json): its module is imported and the function
 * its entry names is called, the same way for the built-in subgraphs and a municipality's own.
 * Used by `npm start` (scripts/localStack.ts) and `npm run start:subgraph`.
 */
import { pathToFileURL } from 'node:url';
import type { SubgraphEntry } from '../schema/subgraphs';
import type { LegacyConfig } from '../subgraphs/shared/config';
import type { SubgraphStart, SubgraphStartOptions } from '../subgraphs/shared/legacyServices';
import type { RunningSubgraph } from '../subgraphs/shared/subgraphServer';

/** The start function an entry names, or an error saying what is wrong with the entry. */
export async function startFunctionOf(entry: SubgraphEntry): Promise<SubgraphStart> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry.start.module).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`subgraph ${entry.name}: cannot load its module ${entry.start.module}: ${(error as Error).message}`);
  }
  const start = module[entry.start.export];
  if (typeof start !== 'function') {
    const functions = Object.keys(module).filter((key) => typeof module[key] === 'function');
    throw new Error(`subgraph ${entry.name}: ${entry.start.module} exports no function ${entry.start.export} (it exports ${functions.join(', ') || 'none'})`);
  }
  return start as SubgraphStart;
}

/** Starts one listed subgraph; it must answer to the name the list gives it. */
export async function startListedSubgraph(entry: SubgraphEntry, config: LegacyConfig, options: SubgraphStartOptions): Promise<RunningSubgraph> {
  const start = await startFunctionOf(entry);
  const running = await start(config, options, entry);
  if (running.name !== entry.name) {
    await running.close();
    throw new Error(`subgraph ${entry.name}: ${entry.start.export} started a subgraph named ${running.name}`);
  }
  return running;
}
