/**
 * How `RedisReplyLog` stores an event in its stream entry's `f` field (decision 0280): a keyframe
 * `=<event>`, or `<p>.<s>:<middle>` — the event is the last keyframe's first `p` and last `s` UTF-16
 * units around `middle`. Consecutive frames of a reply differ in a few characters (`data:
 * {"type":"text-delta","id":"text-1","delta":"是"}`), so a token costs its own bytes plus about six,
 * not the whole JSON frame. A keyframe comes at least every {@link KEYFRAME_EVERY} entries, so a
 * resume looks back at most that far for its base. Splits never fall inside a surrogate pair: every
 * stored part is well-formed UTF-16, so Redis' UTF-8 gives it back unchanged.
 */

/** At most this many entries from a keyframe to the next (a resume's look-back). */
export const KEYFRAME_EVERY = 32;

/** A producer's or reader's running state: the last keyframe, and entries since it. */
export interface FrameCodec {
  base: string | undefined;
  since: number;
}

export const newCodec = (): FrameCodec => ({ base: undefined, since: 0 });

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** An event as the last keyframe's first `p` and last `s` UTF-16 units around `middle`. */
export interface FrameDelta {
  p: number;
  s: number;
  middle: string;
}

/**
 * How to store `event`, updating the producer's state: its difference from the last keyframe, or
 * undefined when it is better stored whole (then it is the new keyframe).
 */
export function deltaOf(codec: FrameCodec, event: string): FrameDelta | undefined {
  const base = codec.base;
  if (base !== undefined && codec.since < KEYFRAME_EVERY - 1) {
    const most = Math.min(base.length, event.length);
    let p = 0;
    while (p < most && base.charCodeAt(p) === event.charCodeAt(p)) p++;
    if (p > 0 && p < event.length && isHigh(event.charCodeAt(p - 1))) p--; // not between a pair's halves
    let s = 0;
    while (s < most - p && base.charCodeAt(base.length - 1 - s) === event.charCodeAt(event.length - 1 - s)) s++;
    if (s > 0 && isLow(event.charCodeAt(event.length - s))) s--;
    const middle = event.slice(p, event.length - s);
    // Worth it only when it saves most of the frame; otherwise this frame is a better base.
    if (middle.length * 2 < event.length) {
      codec.since++;
      return { p, s, middle };
    }
  }
  codec.base = event;
  codec.since = 0;
  return undefined;
}

/** The stored value of `event` in an `f` field (one event per entry, decision 0280), updating the producer's state. */
export function encodeFrame(codec: FrameCodec, event: string): string {
  const delta = deltaOf(codec, event);
  return delta ? `${delta.p}.${delta.s}:${delta.middle}` : `=${event}`;
}

/** `base` with its first `p` and last `s` units around `middle`; undefined without a base or when they do not fit. */
export function applyDelta(base: string | undefined, { p, s, middle }: FrameDelta): string | undefined {
  if (base === undefined || p + s > base.length) return undefined;
  return base.slice(0, p) + middle + base.slice(base.length - s);
}

/** Reads a `<p>.<s>:` head: the two numbers and where the middle starts; undefined when malformed. */
function head(value: string): [number, number, number] | undefined {
  const dot = value.indexOf('.');
  const colon = value.indexOf(':', dot + 1);
  if (dot < 1 || colon < dot + 2) return undefined;
  const p = Number(value.slice(0, dot));
  const s = Number(value.slice(dot + 1, colon));
  return Number.isInteger(p) && Number.isInteger(s) ? [p, s, colon + 1] : undefined;
}

/**
 * The event a stored value holds, updating the reader's state; undefined when it is a delta whose
 * keyframe the reader has not seen (trimmed by `maxEvents`, or corrupt).
 */
export function decodeFrame(codec: FrameCodec, value: string): string | undefined {
  if (value.startsWith('=')) {
    codec.base = value.slice(1);
    return codec.base;
  }
  const parsed = head(value);
  if (parsed === undefined) return undefined;
  const [p, s, at] = parsed;
  return applyDelta(codec.base, { p, s, middle: value.slice(at) });
}
