/**
 * What the agent-protocol bench says about a client that never heard its run's end: what it heard
 * last, whether it had dropped and reconnected, and what the thread's state on its instance says
 * (did the run finish?), so a lost terminal event is told apart from a run that never ended.
 */
import type { ClientRun } from './agentProtocol.client';
import type { ClientLink } from './agentProtocol.link';

const describeEvent = (run: ClientRun): string => {
  const last = run.events.at(-1);
  if (!last) return 'nothing';
  const data = last.params.data as { event?: string };
  return `${last.method}${data.event ? ` ${data.event}` : ''} (seq ${last.seq}, ns ${JSON.stringify(last.params.namespace)})`;
};

/** One line on a stuck client and its thread's state. */
export async function describeStuck(run: ClientRun, link: ClientLink, dropTo: string | undefined): Promise<string> {
  let state = '?';
  try {
    const response = await link.fetch(`http://bench.invalid/threads/${run.threadId}/state`);
    const body = (await response.json()) as { next?: string[]; values?: { messages?: Array<{ type: string }> } };
    const messages = body.values?.messages ?? [];
    state = `HTTP ${response.status}, next ${JSON.stringify(body.next)}, ${messages.length} messages, last ${messages.at(-1)?.type}`;
  } catch (error) {
    state = `state unreadable: ${(error as Error).message}`;
  }
  const drop = dropTo === undefined ? 'no drop' : link.reconnectToFirstEventMs === undefined ? 'dropped, no event since' : 'dropped and reconnected';
  return `thread ${run.threadId} on ${link.base}: ${drop}; heard ${run.events.length} events, last ${describeEvent(run)}; state: ${state}`;
}
