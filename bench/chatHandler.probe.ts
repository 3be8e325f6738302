/**
 * Scenario 2's prober in a process of its own (decision 0345): argv <url> <everyMs>. Sends two `GET <url>`
 * every `everyMs` on a fixed schedule, whether or not earlier probes were answered, until its stdin
 * ends: one on a new connection (a new visitor: it waits to be accepted), one on a kept-alive
 * connection opened before the load (a page already open: it waits only for the server's event
 * loop; KEPT_ALIVE sockets, and a probe that finds none idle connects anew and is counted so, never
 * queued behind the prober's own probes); then waits for the probes still out and prints
 * `probes <json>`: per probe, epoch ms of its send, TCP connect, the server's handler (`x-handled-at`,
 * which the bench's servers stamp) and the answer. Its own event loop is idle, so its schedule and
 * timestamps are not the loaded servers'; a probe loop that waited for each answer would probe less
 * while answers are slow, and its p99 would be one of a handful of probes.
 */
import { Agent, request } from 'node:http';

/** One probe's timeline, epoch ms (`performance.timeOrigin + performance.now()`). */
export interface Probe {
  /** `new`: on a connection of its own; `kept`: on a kept-alive connection opened before the load. */
  kind: 'new' | 'kept';
  sent: number;
  connected?: number;
  /** When the server's handler ran (its `x-handled-at` header). */
  handled?: number;
  answered?: number;
  error?: string;
  /** A `kept` probe that found no open socket (the server had closed it) and connected anew. */
  reconnected?: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();
/** How long the prober waits, after its stdin ended, for the probes still out. */
const DRAIN_MS = 120_000;
/** Kept-alive sockets opened before the load (more than probes out at once while answers take under 1.6 s). */
const KEPT_ALIVE = 32;

function probe(url: URL, agent: Agent, kind: Probe['kind']): Probe {
  const row: Probe = { kind, sent: now() };
  const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
    row.handled = Number(res.headers['x-handled-at']) || undefined;
    res.resume();
    res.on('end', () => (row.answered = now()));
  });
  req.on('socket', (socket) => {
    if (!socket.connecting) return void (row.connected = now()); // a kept-alive socket, open already
    if (kind === 'kept') row.reconnected = true;
    socket.once('connect', () => (row.connected = now()));
  });
  req.on('error', (error: NodeJS.ErrnoException) => {
    row.error = error.code ?? error.message;
    row.answered = now();
  });
  req.end();
  return row;
}

/** Opens the kept-alive sockets: KEPT_ALIVE probes at once, answered before the load starts. */
async function openKeptAlive(url: URL, agent: Agent): Promise<void> {
  const warm = Array.from({ length: KEPT_ALIVE }, () => probe(url, agent, 'kept'));
  while (warm.some((row) => row.answered === undefined)) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function main(url: URL, everyMs: number): Promise<Probe[]> {
  const fresh = new Agent({ keepAlive: false, maxSockets: Infinity });
  // fifo: every socket is used every KEPT_ALIVE × everyMs, within the server's 5 s keep-alive timeout
  const kept = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'fifo' });
  await openKeptAlive(url, kept);
  const rows: Probe[] = [];
  let running = true;
  process.stdin.resume().on('end', () => (running = false));
  const start = now();
  process.stdout.write('probing\n');
  for (let k = 0; running; k++) {
    rows.push(probe(url, fresh, 'new'), probe(url, kept, 'kept'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (k + 1) * everyMs - now())));
  }
  const deadline = now() + DRAIN_MS;
  while (rows.some((row) => row.answered === undefined) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const row of rows) if (row.answered === undefined) Object.assign(row, { error: 'unanswered', answered: now() });
  return rows;
}

main(new URL(process.argv[2]), Number(process.argv[3])).then((rows) => {
  // exit once written: a pipe takes a large write in parts, and exiting at once cut it
  process.stdout.write(`probes ${JSON.stringify(rows)}\n`, () => process.exit(0));
});
