import type { Observable } from 'rxjs';
import type { FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';
import { tick } from './probeRunnable';

/**
 * The fourth law on a reply that stalls (a fake server started with `stallAfterChunks: 2`): `texts$`
 * gives the two texts, the request is still open, and unsubscribing makes the client close it after
 * exactly those two chunks. Shared by the sources' specs (fromRunnable, fromModelEvents, fromAgent).
 */
export async function expectTeardownClosesStalledRequest(server: FakeOpenAIServer, texts$: Observable<string>): Promise<void> {
  const texts: string[] = [];
  const subscription = texts$.subscribe((t) => texts.push(t));
  while (texts.length < 2) await tick(5); // jest's timeout guards a hang; no clock bounds the wait
  expect(texts).toHaveLength(2);
  expect(server.requests[0].closedAt).toBeUndefined(); // really stalled and open
  subscription.unsubscribe();
  const record = await server.waitForClose(0, 60_000);
  expect(record.closedByClient).toBe(true);
  expect(record.chunksWritten).toBe(2);
}
