/**
 * Reads the secrets the tenant registry names by reference (`{ "env": NAME }` or
 * `{ "file": PATH }`), never holds: a credentials reference resolved when a municipality's
 * system is opened. Errors name the reference, never what it holds.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export type SecretReference = { env: string } | { file: string };

/**
 * A reader over this environment; a relative file is read from `baseDir` (the registry's folder,
 * so a registry and the secrets beside it move together).
 */
export function secretReader(baseDir: string, env: NodeJS.ProcessEnv): (reference: SecretReference) => string {
  return (reference) => {
    if ('env' in reference) {
      const value = env[reference.env];
      if (!value) throw new Error(`the environment variable ${reference.env} is not set`);
      return value;
    }
    const path = isAbsolute(reference.file) ? reference.file : resolve(baseDir, reference.file);
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new Error(`cannot read ${path}`);
    }
  };
}
