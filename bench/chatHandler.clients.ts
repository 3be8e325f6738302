/**
 * Scenario 2's SSE clients in a process of their own (decision 0345): argv <url> <count> [whole|part]
 * [perSecond]. Each client posts a turn to `<url>/api/chat`, reads 200–2,000 bytes and leaves
 * (`whole`: reads the whole reply, as the CPU-per-token driver's clients do, bench/chatHandler.cpu.ts);
 * all start at once, or `perSecond` of them a second, evenly (clients that come and go: decision 0420). Prints
 * `result <json>` (answers not 200, requests failed by why) and exits. Outside the servers' process,
 * their parsing, aborts and error stacks are not in the servers' event loop the bench measures.
 */
import { closeClients, http, readBody, userTurn } from './chatHandler.wire';

/** What the clients saw: answers not 200, and requests that failed, counted by why. */
export interface ClientsResult {
  statuses: number;
  failures: Record<string, number>;
}

async function main(url: string, count: number, whole: boolean, perSecond: number): Promise<ClientsResult> {
  const failures: Record<string, number> = {};
  let statuses = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      if (perSecond > 0) await new Promise((resolve) => setTimeout(resolve, start + (i * 1000) / perSecond - performance.now()));
      const abort = new AbortController();
      try {
        const body = userTurn(`load-conversation-${String(i).padStart(6, '0')}`, i);
        const response = await http(`${url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: abort.signal });
        if (response.status !== 200) statuses++;
        await readBody(response, abort, whole ? undefined : 200 + (i % 7) * 300);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = `${(error as Error).message}: ${cause?.code ?? cause?.message ?? '?'}`;
        failures[why] = (failures[why] ?? 0) + 1; // counted, not fatal
      }
    }),
  );
  return { statuses, failures };
}

main(process.argv[2], Number(process.argv[3]), process.argv[4] === 'whole', Number(process.argv[5] ?? 0)).then(async (result) => {
  await closeClients();
  process.stdout.write(`result ${JSON.stringify(result)}\n`, () => process.exit(0));
});
