/**
 * Asks until `done` holds, at most `withinMs`, and answers the last value asked: for what a running
 * stack takes in on a file event (the tenant registry, the supergraph), not on a timer.
 */
export async function eventually<T>(ask: () => Promise<T>, done: (value: T) => boolean, withinMs = 5_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await ask();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
