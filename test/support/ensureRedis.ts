/**
 * vitest global setup: the replay-store tests need the Redis server at 127.0.0.1:6379. Start it,
 * as the machine's documentation says, when it is down.
 */
import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';

const URL = process.env['REPLAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function reachable(): Promise<boolean> {
  // No reconnection and no offline queue: one attempt, answered or not.
  const client = new Redis(URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export default async function ensureRedis(): Promise<void> {
  if (await reachable()) return;
  try {
    execSync(
      'mkdir -p /var/lib/redis /var/log/redis && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
      { stdio: 'ignore', timeout: 30_000 },
    );
  } catch {
    // fall through to the check below, which says what is wrong
  }
  for (let i = 0; i < 20; i++) {
    if (await reachable()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Redis is not reachable at ${URL} and could not be started (redis-server)`);
}
