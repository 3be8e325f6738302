import type { PartOrigin, ToolCallPart } from '../../parts/types';
import { isPlainObject, parseArgs, str, withOrigin } from './shapes';
import type { Assembly, Call, Step } from './steps';

/** The shape of one entry of a chunk's `tool_call_chunks`. */
export interface ToolCallChunk {
  id?: unknown;
  name?: unknown;
  args?: unknown;
  index?: unknown;
}

/**
 * Assembles one `tool_call_chunks` entry into its call: chunks without an `id` are matched
 * by `index` (or continue the last call), calls may interleave, arguments may be split anywhere.
 */
export function toolCallChunk(a: Assembly, step: Step, tc: ToolCallChunk, origin: PartOrigin | undefined): void {
  const id = str(tc.id);
  const index = typeof tc.index === 'number' ? tc.index : undefined;
  let call: Call | undefined;
  const calls = step.calls;
  if (index !== undefined) {
    for (let i = 0; i < calls.length; i++) if (calls[i].index === index) call = calls[i];
  } else if (id !== undefined) {
    call = calls.find((c) => c.id === id);
  } else {
    call = step.lastCall;
  }
  if (call === undefined) {
    // The next index starts: earlier calls whose arguments are whole JSON are complete.
    completeParsedCalls(a, step);
    call = newCall(step, index ?? calls.length, id, str(tc.name));
  } else {
    if (call.id === undefined && id !== undefined) call.id = id;
    if (call.name === undefined && typeof tc.name === 'string' && tc.name.length > 0) call.name = tc.name;
  }
  step.lastCall = call;
  if (call.done) return;
  const args = tc.args;
  if (typeof args === 'string') appendArgs(a, call, args, origin);
  else if (isPlainObject(args)) appendArgs(a, call, JSON.stringify(args), origin);
  else maybeStart(a, call, origin);
}

export function newCall(step: Step, index: number, id: string | undefined, name: string | undefined): Call {
  const call: Call = { step: step.step, index, id, name, args: '', parsed: undefined, partId: '', started: false, done: false };
  step.calls.push(call);
  step.lastCall = call;
  return call;
}

/** Emits `tool-call-start` once the name is known (the id may still be missing: then one is made up). */
export function maybeStart(a: Assembly, call: Call, origin: PartOrigin | undefined): void {
  if (call.started || call.name === undefined) return;
  call.started = true;
  call.partId = call.id ?? `tool-call-${call.step}-${call.index}`;
  a.callNames.set(call.partId, call.name);
  a.sink.next(withOrigin({ type: 'tool-call-start', id: call.partId, name: call.name, index: call.index }, origin));
  if (call.args.length > 0) a.sink.next(withOrigin({ type: 'tool-call-delta', id: call.partId, argsText: call.args }, origin));
}

export function appendArgs(a: Assembly, call: Call, text: string, origin: PartOrigin | undefined): void {
  if (text.length === 0) return maybeStart(a, call, origin);
  call.args += text;
  if (call.started) a.sink.next(withOrigin({ type: 'tool-call-delta', id: call.partId, argsText: text }, origin));
  else maybeStart(a, call, origin);
}

/** When another call starts: open calls whose arguments already parse are complete. */
export function completeParsedCalls(a: Assembly, step: Step): void {
  for (const call of step.calls) {
    if (call.done || call.args.length === 0) continue;
    const parsed = call.parsed ?? parseArgs(call.args);
    if (parsed === undefined) continue;
    call.parsed = parsed; // complete: finishCall need not parse it again
    finishCall(a, step, call);
  }
}

/** Emits the call's `tool-call` part (`{}` for a zero-argument tool, `invalid` when its JSON never parses). */
export function finishCall(a: Assembly, step: Step, call: Call): void {
  if (call.done) return;
  const origin = step.origin;
  call.done = true;
  if (!call.started) {
    call.name ??= '';
    maybeStart(a, call, origin);
  }
  let args = call.parsed;
  let invalid = call.name === '';
  if (args === undefined) {
    if (call.args.trim().length === 0) args = {}; // a zero-argument tool (args '' or never sent)
    else {
      args = parseArgs(call.args);
      if (args === undefined) {
        args = {};
        invalid = true;
      }
    }
  }
  const part: ToolCallPart = invalid
    ? { type: 'tool-call', id: call.partId, name: call.name!, args, invalid: true, argsText: call.args }
    : { type: 'tool-call', id: call.partId, name: call.name!, args };
  a.interrupts.seeCall(step.step, part);
  a.sink.next(withOrigin(part, origin));
}
