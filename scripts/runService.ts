/** Runs one long-lived piece until SIGINT or SIGTERM, then closes it and exits 0; a start error exits 1. */
export async function runService<T extends { close(): Promise<void> }>(start: () => Promise<T>, ready: (service: T) => string): Promise<void> {
  let service: T;
  try {
    service = await start();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  console.log(ready(service));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
