/**
 * A legacy call's abort signal: the caller's (the request's remaining budget) combined with the
 * call's own timeout, whichever ends first. `timedOut()` tells a timeout apart from a caller
 * that went away, so the error can say which.
 */
export interface CallDeadline {
  signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

export function callDeadline(timeoutMs: number, parent?: AbortSignal): CallDeadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`deadline of ${timeoutMs} ms passed`));
  }, timeoutMs);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
