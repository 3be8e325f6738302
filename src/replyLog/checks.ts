import { dematerialize, isObservable, materialize, switchMap, type Observable } from 'rxjs';
import { assertNonNegative, assertObject, assertPositiveInteger, describe } from '../internal/validate';
import type { LockTurn, ReplyLogOptions } from './types';

/** Ids are Redis key parts and URL segments: non-empty, at most 256 characters, no control characters. */
export function assertId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new TypeError(`${name} must be a non-empty string of at most 256 characters without control characters, got ${describe(value)}.`);
  }
}

/** The `after` of a read: undefined or a non-empty string (checked against the log, not here). */
export function assertAfter(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`${name} must be an event id string (the SSE Last-Event-ID) or undefined, got ${describe(value)}.`);
  }
}

export function assertEvents(name: string, value: unknown): void {
  if (!isObservable(value)) throw new TypeError(`${name} must be an Observable of encoded events (strings), got ${describe(value)}.`);
}

/** An event to store: a well-formed string (Redis stores UTF-8; a lone surrogate would not come back byte for byte). */
export function assertEvent(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`ReplyLog.append: every event must be a string (an encoded frame), got ${describe(value)}.`);
  if (!value.isWellFormed()) throw new TypeError('ReplyLog.append: an event contains a lone surrogate; encode it (JSON.stringify does) before storing it.');
}

/** Checks and fills the options both logs share. */
export function replyLogOptions(name: string, options: ReplyLogOptions | undefined): Required<ReplyLogOptions> {
  assertObject(`${name}: options`, options);
  assertPositiveInteger(`${name}: graceMs`, options?.graceMs);
  assertPositiveInteger(`${name}: maxEvents`, options?.maxEvents);
  return { graceMs: options?.graceMs ?? 300_000, maxEvents: options?.maxEvents ?? 10_000 };
}

/** A lock's `turn`: undefined, or `{ id, principal? }` with an id as {@link assertId} and a string principal. */
export function assertLockTurn(name: string, value: unknown): asserts value is LockTurn | undefined {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be { id, principal? } (the turn's id and who asked), got ${describe(value)}.`);
  const { id, principal } = value as Record<string, unknown>;
  assertId(`${name}.id`, id);
  if (principal !== undefined && typeof principal !== 'string') throw new TypeError(`${name}.principal must be a string or undefined, got ${describe(principal)}.`);
}

export function lockWaitMs(name: string, waitMs: unknown): number {
  assertNonNegative(`${name}: waitMs`, waitMs);
  return (waitMs as number | undefined) ?? 30_000;
}

/** `work` while `held$` holds the lock: subscribed once it emits, ended (releasing the lock) when `work` ends. */
export function runHolding<T>(name: string, held$: Observable<void>, work: Observable<T>): Observable<T> {
  if (!isObservable(work)) throw new TypeError(`${name}: work must be an Observable (the turn to run while holding the lock), got ${describe(work)}.`);
  // materialize: work's complete / error ends the whole thing, which unsubscribes held$ (the release).
  return held$.pipe(switchMap(() => work.pipe(materialize())), dematerialize());
}
