/**
 * toNodeHandler starts at most four requests per event-loop iteration; the rest start in arrival
 * order in the next iterations, and one whose client left while it waited is never started
 * (decision 0420: a burst of requests must not stall the server's streams and other routes).
 * Real requests on a real server; iterations are counted with setImmediate, not timed.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '../../src/node';
import { useCleanup } from '../support/cleanup';

const cleanup = useCleanup();
const nextIteration = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A server that holds its first `count` requests unanswered, and where they came from. */
async function heldRequests(count: number): Promise<Array<[IncomingMessage, ServerResponse]>> {
  const held: Array<[IncomingMessage, ServerResponse]> = [];
  let arrived: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (arrived = resolve));
  const server: Server = createServer((req, res) => {
    held.push([req, res]);
    if (held.length === count) arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  const { port } = server.address() as AddressInfo;
  for (let i = 0; i < count; i++) {
    const req = request({ host: '127.0.0.1', port, path: `/r/${i}`, agent: false });
    req.on('error', () => undefined); // the spec cuts one of them
    req.end();
  }
  await all;
  return held.sort(([a], [b]) => Number(a.url!.split('/')[2]) - Number(b.url!.split('/')[2]));
}

describe('toNodeHandler: a burst of requests', () => {
  it('starts four per iteration, in arrival order; a request whose client left while it waited is not started', async () => {
    const fetched: string[] = [];
    const chat = toNodeHandler({
      fetch: (request) => {
        fetched.push(new URL(request.url).pathname);
        return new Response('ok');
      },
    });
    const held = await heldRequests(10);
    for (const [req, res] of held) chat(req, res); // ten requests in one iteration
    expect(fetched).toEqual(['/r/0', '/r/1', '/r/2', '/r/3']);
    held[9][0].socket.destroy(); // its client is gone before its turn comes
    await nextIteration();
    expect(fetched).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4', '/r/5', '/r/6', '/r/7']);
    await nextIteration();
    await nextIteration();
    expect(fetched).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4', '/r/5', '/r/6', '/r/7', '/r/8']);
  });
});
