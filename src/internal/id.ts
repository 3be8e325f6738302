/** A random id for messages and streams: `crypto.randomUUID()` where the platform has it (Node 20, browsers, workers). */
export function randomId(prefix: string): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  if (uuid) return `${prefix}-${uuid}`;
  let out = '';
  for (let i = 0; i < 4; i++) out += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return `${prefix}-${out}`;
}
