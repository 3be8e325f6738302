import type { Assembly } from './steps';

/** Decodes a string: text of the one open step (a source of plain text is one message). */
export function decodeString(a: Assembly, value: string): void {
  if (value.length === 0) return;
  a.assembled = true;
  a.stepFor(undefined, '', undefined);
  a.sink.next({ type: 'text', text: value });
}
