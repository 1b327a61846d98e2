/**
 * KLE adapter: KL's municipal case classification. The whole subject plan is fetched as one
 * document and cached; look-ups by subject number are then local.
 */
import type { RegistryCache } from '../core/cache';
import type { JsonClient } from '../core/restClient';
import { mapEmneplan, type KleSubjectRecord } from './mapEmneplan';

export type { KleSubjectRecord } from './mapEmneplan';
export { mapEmneplan } from './mapEmneplan';

export interface Classification {
  /** The KLE subject with this number, or null when the plan has none. */
  /** `onStale` is told when KLE failed and a stale cached plan was used. */
  subject(number: string, options?: { signal?: AbortSignal; onStale?: () => void }): Promise<KleSubjectRecord | null>;
}

export function createKleClassification(options: { client: JsonClient; cache: RegistryCache; planPath?: string }): Classification {
  const planPath = options.planPath ?? 'kle/emneplan.xml';
  return {
    async subject(number, callOptions = {}) {
      const plan = await options.cache.getOrLoad(
        'kle:emneplan',
        async () => mapEmneplan(await options.client.getText(planPath)),
        { ...callOptions, system: 'kle' },
      );
      return plan.get(number) ?? null;
    },
  };
}
