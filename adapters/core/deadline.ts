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

/**
 * Waits for a promise shared with other callers until this caller's signal aborts: then it
 * rejects with `reason()`, and the shared work goes on for the others (it keeps its own timeouts).
 */
export function waitUnlessAborted<T>(pending: Promise<T>, signal: AbortSignal | undefined, reason: () => Error): Promise<T> {
  if (!signal) return pending;
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
