/**
 * What keeps this process alive, in words a CI log reader can act on: the kinds of every active
 * resource (`process.getActiveResourcesInfo()`: servers, sockets, pipes, child processes, timers,
 * pending connects and DNS lookups), then one line per handle that Node can show us (a server's
 * address, a socket's two ends, a child process's command). Used by the timeout environment and
 * the exit guard (docs/decisions/0395).
 */
import { ChildProcess } from 'node:child_process';
import { Server, Socket, type AddressInfo } from 'node:net';

/** The handles Node keeps the loop alive for (undocumented but stable since Node 0.x; read-only here). */
export function activeHandles(): unknown[] {
  const get = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return typeof get === 'function' ? get.call(process) : [];
}

const where = (address: string | AddressInfo | null): string =>
  address === null ? 'not listening' : typeof address === 'string' ? address : `${address.address}:${address.port}`;

/** A server or socket asked to close, or a child process that exited: its handle goes at the loop's next close phase. */
export const isClosing = (handle: unknown): boolean =>
  (handle instanceof Server && !handle.listening) ||
  (handle instanceof Socket && handle.destroyed) ||
  (handle instanceof ChildProcess && (handle.exitCode !== null || handle.signalCode !== null));

const STDIO = ['stdin', 'stdout', 'stderr'];

/** One line for one handle. */
export function describeHandle(handle: unknown): string {
  if (isClosing(handle)) return `${handle instanceof Server ? 'server' : handle instanceof Socket ? 'socket' : 'child process'} closing`;
  if (handle instanceof Server) return `${handle.constructor.name} listening on ${where(handle.address())}`;
  if (handle instanceof Socket) {
    if (handle.remotePort !== undefined) return `socket ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}`;
    const fd = (handle as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd !== undefined && fd >= 0 && fd < 3) return `${STDIO[fd]} pipe`;
    return `pipe or unconnected socket${fd !== undefined && fd >= 0 ? ` (fd ${fd})` : ''}`;
  }
  if (handle instanceof ChildProcess) return `child process ${handle.pid}: ${handle.spawnargs.join(' ').slice(0, 160)}`;
  return (handle as object | null)?.constructor?.name ?? String(handle);
}

/**
 * Lets the handles already asked to close go (their close callbacks run in the event loop's close
 * phase): a few turns of the loop, counted, not timed. Always one turn: a request that has just
 * completed (an awaited `FileHandle.close()`'s CloseReq, an fs callback's FSReqCallback) is still
 * listed until then, and holds nothing.
 */
export async function settleClosing(turns = 20): Promise<void> {
  for (let turn = 0; turn < turns && (turn === 0 || activeHandles().some(isClosing)); turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** What is open now, to compare with later. */
export interface OpenSnapshot {
  readonly handles: ReadonlySet<unknown>;
  readonly kinds: ReadonlyMap<string, number>;
}

export function snapshotOpen(): OpenSnapshot {
  const kinds = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  return { handles: new Set(activeHandles()), kinds };
}

/**
 * A report of the active resources: with `since`, only what is new since that snapshot (the
 * handles not in it, the kinds whose count grew), and the empty string when nothing is.
 */
export function describeOpenResources(since?: OpenSnapshot): string {
  const now = snapshotOpen();
  const kinds = [...now.kinds]
    .map(([kind, n]) => [kind, n - (since?.kinds.get(kind) ?? 0)] as const)
    .filter(([, n]) => n > 0);
  const handles = [...now.handles].filter((handle) => !since?.handles.has(handle));
  if (since && kinds.length === 0 && handles.length === 0) return '';
  const counts = kinds.map(([kind, n]) => `${kind} ×${n}`).join(', ');
  return [`  active resources${since ? ' (new)' : ''}: ${counts || 'none'}`, ...handles.map((handle) => `  - ${describeHandle(handle)}`)].join('\n');
}
