/** Call-time argument checks shared by sources and operators; messages say what to fix. */
import { asyncScheduler, type SchedulerLike } from 'rxjs';

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : typeof value;
}

export function assertObject(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}.`);
  }
}

export function assertFunction(name: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${describe(value)}.`);
}

export function assertNonNegative(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`${name} must be a number >= 0, got ${describe(value)}.`);
  }
}

export function assertPositiveInteger(name: string, value: unknown, optional = true): void {
  assertInteger(name, value, 1, optional);
}

/** `name must be a boolean`. */
export function assertBoolean(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}.`);
}

/** An integer >= `min` (0 for counts, 1 for sizes). */
export function assertInteger(name: string, value: unknown, min: number, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${describe(value)}.`);
  }
}

/** A duration that must pass: a finite number of ms > 0. */
export function assertPositiveMs(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number > 0 (ms), got ${describe(value)}.`);
  }
}

/** One of a few literal values: `name must be 'a' or 'b'` / `must be one of 'a', 'b', 'c'`. */
export function assertOneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[], optional = true): asserts value is T | undefined {
  if (value === undefined && optional) return;
  if ((allowed as readonly unknown[]).includes(value)) return;
  const shown = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a)));
  const list = shown.length === 2 ? `${shown[0]} or ${shown[1]}` : `one of ${shown.join(', ')}`;
  throw new TypeError(`${name} must be ${list}, got ${describe(value)}.`);
}

/**
 * An RxJS scheduler option, returned for use: `undefined` gives `asyncScheduler`; anything
 * else must have the method the caller needs (`now` to read the time, `schedule` for timers).
 */
export function assertScheduler(name: string, value: unknown, uses: 'now' | 'schedule' = 'schedule'): SchedulerLike {
  if (value === undefined) return asyncScheduler;
  if (typeof value !== 'object' || value === null || typeof (value as Record<string, unknown>)[uses] !== 'function') {
    throw new TypeError(`${name} must be an RxJS scheduler, got ${describe(value)}.`);
  }
  return value as SchedulerLike;
}
