/**
 * STOP_AT=start for the chat-handler bench (decision 0325): a stopper sends its stop to the other
 * instance as soon as its POST is on its way, the user who stops before the first token, instead of
 * at half the reply. Its stop may land before the turn is accepted (answered `{ stopped: false }`: the
 * turn runs, as it should), while the turn waits for its lock, claims its conversation or stores its
 * first frame (the model never called), or after the model started. The client reads its response to
 * the end, so the bench can tell which by the answer and the text the client received.
 */
import type { ChatInstance } from './chatHandler.ours';
import { http, readBody, userTurn } from './chatHandler.wire';

/** Where stoppers stop: `start` (as soon as the POST is sent) or, by default, at half the reply. */
export const STOP_AT_START = process.env.STOP_AT === 'start';

/** An early stopper's stop: when it was sent, the side's answer, and the characters of text its client still received. */
export interface EarlyStop {
  id: string;
  sentAt: number;
  stopped: boolean;
  textChars: number;
}

/** One early stopper: posts the turn to `here`, stops it on `there` at once, reads its response to the end. */
export async function earlyStopper(id: string, i: number, here: ChatInstance, there: ChatInstance, textOf: (sse: string) => string): Promise<{ stop: EarlyStop; wireBytes: number }> {
  const abort = new AbortController();
  const posted = http(`${here.url}/api/chat`, { method: 'POST', body: userTurn(id, i), headers: { 'content-type': 'application/json' }, signal: abort.signal });
  await new Promise((resolve) => setImmediate(resolve)); // the POST is on its way
  const sentAt = performance.now();
  if (!there.stop) abort.abort(); // the peer has no stop: its client just leaves
  const stopped = (await there.stop?.(id)) ?? false;
  const body = await posted.then((response) => readBody(response, abort), () => ({ sse: '', wire: 0 }));
  return { stop: { id, sentAt, stopped, textChars: textOf(body.sse).length }, wireBytes: body.wire };
}

/** The early stops by where they landed (ours: by the answer and the text received). */
export function earlyStopCounts(stops: readonly EarlyStop[]): string {
  const before = stops.filter((s) => s.stopped && s.textChars === 0).length;
  const after = stops.filter((s) => s.stopped && s.textChars > 0).length;
  const refused = stops.filter((s) => !s.stopped).length;
  return `Early stops (STOP_AT=start): ${before} stopped before the first token, ${after} after some text, ${refused} answered { stopped: false } (sent before the turn was accepted: the turn ran).`;
}
