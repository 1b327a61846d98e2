/**
 * vitest setup: every fetch a test makes, and every fetch the gateways it starts make to their
 * subgraphs, lets go of an idle connection after one second. The servers close theirs after five
 * (runtime/httpServer.ts); the client's default keeps one until a second or two before that, and a
 * request sent on a connection the server is closing at that moment ends in ECONNRESET. Client and
 * servers share one event loop here, so a busy machine, which delays both timers, made that window
 * real: a test failed on it under `npm run test:stress`. Four seconds apart, it is not.
 */
import { Agent, setGlobalDispatcher } from 'undici';

const installed = Symbol.for('kommune-graph.test.keepAlive');
const holder = globalThis as { [installed]?: true };
if (!holder[installed]) {
  setGlobalDispatcher(new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 }));
  holder[installed] = true;
}
