/**
 * Scenario 2's prober in a process of its own (decision 0345): argv <url> <everyMs>. Sends `GET <url>`
 * every `everyMs` on a fixed schedule, whether or not earlier probes were answered, each on a new
 * connection (a new visitor), until its stdin ends; then waits for the probes still out and prints
 * `probes <json>`: per probe, epoch ms of its send, TCP connect, the server's handler (`x-handled-at`,
 * which the bench's servers stamp) and the answer. Its own event loop is idle, so its schedule and
 * timestamps are not the loaded servers'; a probe loop that waited for each answer would probe less
 * while answers are slow, and its p99 would be one of a handful of probes.
 */
import { Agent, request } from 'node:http';

/** One probe's timeline, epoch ms (`performance.timeOrigin + performance.now()`). */
export interface Probe {
  sent: number;
  connected?: number;
  /** When the server's handler ran (its `x-handled-at` header). */
  handled?: number;
  answered?: number;
  error?: string;
}

const now = (): number => performance.timeOrigin + performance.now();
/** How long the prober waits, after its stdin ended, for the probes still out. */
const DRAIN_MS = 120_000;

function probe(url: URL, agent: Agent): Probe {
  const row: Probe = { sent: now() };
  const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
    row.handled = Number(res.headers['x-handled-at']) || undefined;
    res.resume();
    res.on('end', () => (row.answered = now()));
  });
  req.on('socket', (socket) => socket.once('connect', () => (row.connected = now())));
  req.on('error', (error: NodeJS.ErrnoException) => {
    row.error = error.code ?? error.message;
    row.answered = now();
  });
  req.end();
  return row;
}

async function main(url: URL, everyMs: number): Promise<Probe[]> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const rows: Probe[] = [];
  let running = true;
  process.stdin.resume().on('end', () => (running = false));
  const start = now();
  process.stdout.write('probing\n');
  for (let k = 0; running; k++) {
    rows.push(probe(url, agent));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (k + 1) * everyMs - now())));
  }
  const deadline = now() + DRAIN_MS;
  while (rows.some((row) => row.answered === undefined) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const row of rows) if (row.answered === undefined) Object.assign(row, { error: 'unanswered', answered: now() });
  return rows;
}

main(new URL(process.argv[2]), Number(process.argv[3])).then((rows) => {
  process.stdout.write(`probes ${JSON.stringify(rows)}\n`);
  process.exit(0);
});
