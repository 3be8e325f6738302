import { filter, map, type OperatorFunction } from 'rxjs';
import type { TurnEvent } from '../history/types';
import { assertFunction, assertObject } from '../internal/validate';
import { encodeServerSentEvent } from '../web/serverSentEventFrame';
import { defaultServerSentErrorData } from '../web/toServerSentEvents';
import { wireRequest } from '../web/approvalChunks';

/** Options of {@link toTurnServerSentEvents}. */
export interface ToTurnServerSentEventsOptions {
  /** Payload of the `error` event of a failed turn. Default `{ name, message, code? }`; override it to hide provider messages. */
  errorData?: (error: unknown) => unknown;
}

/**
 * Turns `chatTurns` events into SSE frames WITHOUT an `id:` line, ready for a
 * reply log (`ReplyLog.append`), whose entry ids become the ids when
 * `sendReplyLog` writes them. The frames follow the WebSocket chat protocol:
 * `event: chunk` with `{ text, turn }` (chunks without text are skipped),
 * `event: done` with `{ turn, chunks, stopped: false }` after a saved reply or
 * `{ turn, chunks, stopped: true, saved }` after a stop, `event: approval-request` with
 * `{ turn, requests }` when the agent run waits for a decision, `event: error` with
 * `{ turn, name, message, code? }` after a failed turn. Payloads are JSON, so
 * no content can break the framing.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { chatTurns, fromRunnable } from 'rxjs-langchain';
 * import { InMemoryReplyLog, toTurnServerSentEvents } from 'rxjs-langchain/node';
 * import { ScriptedChatModel } from 'rxjs-langchain/offline';
 *
 * const model = new ScriptedChatModel();
 * const log = new InMemoryReplyLog();
 * const frames$ = of('什么是Python').pipe(
 *   chatTurns(({ question }) => fromRunnable(model, question), { stop$: log.stops('reply-1') }),
 *   toTurnServerSentEvents(),
 * );
 * log.append('reply-1', frames$).subscribe((entry) => console.log(entry.id, entry.data));
 * // 1 event: chunk\ndata: {"text":"Python","turn":0}\n\n   …   event: done\ndata: {"turn":0,"chunks":…,"stopped":false}\n\n
 * ```
 *
 * @see {@link sendReplyLog}, which writes them with their ids; `toServerSentEvents` (`rxjs-langchain`), the framing with its own ids.
 *
 * @param options `errorData`: the payload of a failed turn's `error` event.
 * @returns An operator from turn events to id-less SSE frames.
 */
export function toTurnServerSentEvents(options: ToTurnServerSentEventsOptions = {}): OperatorFunction<TurnEvent, string> {
  assertObject('toTurnServerSentEvents: options', options);
  assertFunction('toTurnServerSentEvents: errorData', options.errorData, true);
  const errorData = options.errorData ?? defaultServerSentErrorData;
  const frame = (event: string, data: unknown): string => encodeServerSentEvent({ event, data: JSON.stringify(data) ?? 'null' });
  return (events) =>
    events.pipe(
      filter((e) => e.type !== 'chunk' || e.text.length > 0),
      map((e) => {
        switch (e.type) {
          case 'chunk':
            return frame('chunk', { text: e.text, turn: e.turn });
          case 'done':
            return frame('done', { turn: e.turn, chunks: e.chunks, stopped: false });
          case 'stopped':
            return frame('done', { turn: e.turn, chunks: e.chunks, stopped: true, saved: e.saved });
          case 'awaiting':
            return frame('approval-request', { turn: e.turn, requests: e.requests.map(wireRequest) });
          default: {
            let data: unknown;
            try {
              data = errorData(e.error);
            } catch {
              data = { name: 'Error', message: 'The reply failed.' };
            }
            return frame('error', { turn: e.turn, ...(typeof data === 'object' && data !== null ? data : { message: String(data) }) });
          }
        }
      }),
    );
}
