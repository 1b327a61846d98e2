/**
 * Calls `changed` once a burst of changes in `folder` settles (editors write a file in several
 * steps; a deploy renames a new file over the old one). The folder is watched, not the file: a
 * file replaced by a rename is a new inode, which a watch on the file would lose. `accepts` picks
 * the names that count; an event without a name counts (some platforms give none).
 */
import { watch } from 'node:fs';

export interface FolderWatch {
  close(): void;
}

export function watchFolder(folder: string, accepts: (name: string) => boolean, changed: () => void, debounceMs = 100): FolderWatch {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(folder, (_event, name) => {
    if (name !== null && !accepts(name)) return;
    clearTimeout(timer);
    timer = setTimeout(changed, debounceMs);
  });
  // Watching never keeps a process alive: the server does.
  watcher.unref();
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
