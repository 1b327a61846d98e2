/**
 * The procedure catalogue: every `*.bpmn` file of a folder, read at start and again whenever the
 * folder changes. A municipality adds a procedure by adding a file. A change is taken into force
 * only when every file in the folder is a valid procedure and no two serve the same KLE number;
 * otherwise it is refused with every problem named by its file, and the catalogue in force stays.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigInvalid } from '../../runtime/config';
import { logger } from '../../runtime/log';
import { watchFolder, type FolderWatch } from '../../runtime/watchFolder';
import { ProcedureInvalid, readProcedure, type Procedure } from './procedure';

export interface Procedures {
  /** By the KLE number each serves. */
  readonly byKle: ReadonlyMap<string, Procedure>;
  /** 1 for the catalogue read at start, then one more for each change taken into force. */
  readonly version: number;
}

export interface ProcedureCatalogue {
  current(): Procedures;
  /** Reads the folder again now; rejects with ConfigInvalid when the change is refused. */
  reload(): Promise<Procedures>;
  close(): void;
}

export interface ProcedureCatalogueOptions {
  /** Read the folder again when it changes. @default true */
  watch?: boolean;
  debounceMs?: number;
  onChange?(now: Procedures, before: Procedures): void;
  onRefused?(error: ConfigInvalid): void;
}

const isBpmn = (name: string) => name.endsWith('.bpmn');

/** Reads every procedure of `folder`; throws ConfigInvalid naming every problem of every file. */
export async function readProcedureFolder(folder: string): Promise<ReadonlyMap<string, Procedure>> {
  const what = `procedure catalogue ${folder}`;
  let names: string[];
  try {
    names = readdirSync(folder).filter(isBpmn).sort();
  } catch {
    throw new ConfigInvalid(what, [`cannot read the folder ${folder}`]);
  }
  const problems: string[] = [];
  const byKle = new Map<string, Procedure>();
  for (const name of names) {
    let xml: string;
    try {
      xml = readFileSync(join(folder, name), 'utf8');
    } catch {
      problems.push(`${name}: cannot be read`);
      continue;
    }
    try {
      const procedure = await readProcedure(xml, name);
      const other = byKle.get(procedure.kle);
      if (other) problems.push(`${name}: KLE ${procedure.kle} has a procedure already, ${other.source}`);
      else byKle.set(procedure.kle, procedure);
    } catch (error) {
      if (!(error instanceof ProcedureInvalid)) throw error;
      problems.push(...error.problems.map((p) => `${name}: ${p}`));
    }
  }
  if (problems.length > 0) throw new ConfigInvalid(what, problems);
  return byKle;
}

/** The catalogue in `folder`; rejects with ConfigInvalid when it is bad at start. */
export async function procedureCatalogue(folder: string, options: ProcedureCatalogueOptions = {}): Promise<ProcedureCatalogue> {
  let procedures: Procedures = { byKle: await readProcedureFolder(folder), version: 1 };
  // One read at a time, in the order the changes came.
  let queue: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<Procedures> => {
    const next = queue.then(async () => {
      const byKle = await readProcedureFolder(folder);
      const before = procedures;
      procedures = { byKle, version: before.version + 1 };
      options.onChange?.(procedures, before);
      return procedures;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  const watch: FolderWatch | undefined =
    (options.watch ?? true)
      ? watchFolder(
          folder,
          isBpmn,
          () =>
            void reload().catch((error: unknown) => {
              if (error instanceof ConfigInvalid) options.onRefused?.(error);
              else logger({ service: 'subgraph:case', component: 'procedures' }).error(`reading ${folder} failed: ${(error as Error).message}`);
            }),
          options.debounceMs,
        )
      : undefined;
  return { current: () => procedures, reload, close: () => watch?.close() };
}
