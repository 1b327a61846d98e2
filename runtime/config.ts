/**
 * Configuration parsing shared by the gateway and the subgraphs: one zod schema each, every
 * problem listed under CONFIG_INVALID, the result frozen.
 */
import type { z } from 'zod';

export class ConfigInvalid extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(
    what: string,
    readonly issues: string[],
  ) {
    super(`CONFIG_INVALID: ${what} configuration is invalid:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'ConfigInvalid';
  }
}

export interface ParseConfigOptions {
  /** Names the entry an issue's path is in (e.g. "municipality 0461"), put before the path; none when undefined. */
  entryOf?: (path: readonly PropertyKey[]) => string | undefined;
}

/** `input` parsed by `schema` and deep-frozen; throws ConfigInvalid naming every bad entry. */
export function parseConfig<S extends z.ZodType>(what: string, schema: S, input: unknown, options: ParseConfigOptions = {}): Readonly<z.output<S>> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigInvalid(
      what,
      result.error.issues.map((i) => {
        const entry = options.entryOf?.(i.path);
        return `${entry ? `${entry} at ` : ''}${i.path.join('.') || '(root)'}: ${i.message}`;
      }),
    );
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
