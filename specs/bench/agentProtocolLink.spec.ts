// The agent-protocol bench's client network (bench/agentProtocol.link.ts): requests go to the
// instance the link points at; drop() cuts the open event streams as a network drop does (the body
// errors, the server sees the connection close) and later requests go to the new instance; the
// first event on a stream opened after the drop is timed. Two tiny SSE servers stand in for instances.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientLink, closeClientConnections } from '../../bench/agentProtocol.link';

interface Instance {
  url: string;
  server: Server;
  /** Resolves when a stream request's connection closes. */
  closed: Promise<void>;
}

async function instance(name: string): Promise<Instance> {
  let closedResolve!: () => void;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  const server = createServer((req, res) => {
    if (!req.url!.endsWith('/stream/events')) return void res.end(JSON.stringify({ from: name }));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: {"from":"${name}"}\n\n`); // stays open, like a thread's stream after its runs
    res.on('close', closedResolve);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, closed };
}

const open = (link: ClientLink) =>
  link.fetch('http://bench.invalid/threads/t1/stream/events', { method: 'POST', body: '{}', headers: { accept: 'text/event-stream' } });

describe('ClientLink (agent-protocol bench)', () => {
  let a: Instance;
  let b: Instance;
  beforeEach(async () => ([a, b] = await Promise.all([instance('a'), instance('b')])));
  afterEach(async () => {
    for (const { server } of [a, b]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  afterAll(() => closeClientConnections());

  it('sends requests to its instance, cuts the open streams at drop(), then sends them to the new one and times the first event', async () => {
    const link = new ClientLink(a.url);
    expect(await (await link.fetch('http://bench.invalid/threads/t1/state')).json()).toEqual({ from: 'a' });
    const first = (await open(link)).body!.getReader();
    expect(new TextDecoder().decode((await first.read()).value)).toBe('data: {"from":"a"}\n\n');
    expect(link.reconnectToFirstEventMs).toBeUndefined(); // opened before any drop: not timed

    const pending = first.read();
    link.drop(b.url);
    await expect(pending).rejects.toThrow('bench: network drop');
    await a.closed; // the server saw the client go

    const second = (await open(link)).body!.getReader();
    expect(new TextDecoder().decode((await second.read()).value)).toBe('data: {"from":"b"}\n\n');
    expect(link.reconnectToFirstEventMs).toBeGreaterThanOrEqual(0);
    await second.cancel();
    await b.closed;
  });
});
