/**
 * How `RedisReplyLog` stores several consecutive events in one stream entry (decision 0320): the
 * field `e` holds one item per event, each a keyframe or a difference from the last keyframe
 * (decision 0280's codec, src/node/redis/frameCodec.ts):
 *
 * - `<n>=<event>`: a keyframe of `n` UTF-16 units;
 * - `<p>.<s>.<n>:<middle>`: the last keyframe's first `p` and last `s` units around `middle` (`n` units);
 * - `<n>:<middle>`: the same with the `p` and `s` of the entry's previous difference (a run of
 *   tokens of one kind shares them: `data: {"type":"text-delta",…,"delta":"` and `"}\n\n`).
 *
 * A token costs its own characters plus two or three: `1:是`. Lengths count UTF-16 units of strings
 * that never split a surrogate pair, so Redis' UTF-8 gives every item back unchanged.
 */
import { applyDelta, decodeFrame, deltaOf, type FrameCodec } from './frameCodec';

/** The `e` value of `events`, updating the producer's state. */
export function encodeEntry(codec: FrameCodec, events: readonly string[]): string {
  let value = '';
  let last: string | undefined; // the previous difference's `p.s`
  for (const event of events) {
    const delta = deltaOf(codec, event);
    if (!delta) {
      value += `${event.length}=${event}`;
      continue;
    }
    const ps = `${delta.p}.${delta.s}`;
    value += ps === last ? `${delta.middle.length}:${delta.middle}` : `${ps}.${delta.middle.length}:${delta.middle}`;
    last = ps;
  }
  return value;
}

/** Reads the digits at `at`: the number and where it ends; undefined when there are none. */
function digits(value: string, at: number): [number, number] | undefined {
  let end = at;
  while (end < value.length && value.charCodeAt(end) >= 48 && value.charCodeAt(end) <= 57) end++;
  return end === at || end - at > 15 ? undefined : [Number(value.slice(at, end)), end];
}

/**
 * The events of an `e` value, updating the reader's state; an event is undefined when it is a
 * difference whose keyframe the reader has not seen (trimmed by `maxEvents`). A malformed value
 * gives the events before the fault.
 */
export function decodeEntry(codec: FrameCodec, value: string): Array<string | undefined> {
  const events: Array<string | undefined> = [];
  let ps: [number, number] | undefined;
  for (let at = 0; at < value.length; ) {
    const first = digits(value, at);
    if (!first) break;
    let [n, end] = first;
    const mark = value[end];
    if (mark === '.') {
      const s = digits(value, end + 1);
      const length = s && value[s[1]] === '.' ? digits(value, s[1] + 1) : undefined;
      if (!s || !length || value[length[1]] !== ':') break;
      ps = [n, s[0]];
      [n, end] = length;
    } else if (mark !== '=' && mark !== ':') break;
    const body = value.slice(end + 1, end + 1 + n);
    if (body.length !== n) break;
    at = end + 1 + n;
    if (mark === '=') events.push((codec.base = body));
    else if (!ps) break;
    else events.push(applyDelta(codec.base, { p: ps[0], s: ps[1], middle: body }));
  }
  return events;
}

/**
 * The events of a stream entry: `e` (several, decision 0320), `f` (one, as a keyframe or a
 * difference, decision 0280) or `d` (one stored whole, before 0280); none for an end marker.
 */
export function eventsOf(codec: FrameCodec, message: Record<string, string>): Array<string | undefined> {
  if (message.e !== undefined) return decodeEntry(codec, message.e);
  if (message.f !== undefined) return [decodeFrame(codec, message.f)];
  return message.d !== undefined ? [message.d] : [];
}
