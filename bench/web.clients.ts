/**
 * The client side of bench/web.bench.ts, in its own process so that the
 * server's memory is measured alone. Driven over IPC by the bench:
 * - `sse`: N concurrent SSE clients, each checking it got every token and the done event;
 * - `slow`: one raw-socket reader that reads nothing until told to `drain`;
 * - `turns`: one WebSocket connection asking questions one after another, pausing at checkpoints.
 */
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { replyTo } from '../src/offline/cannedReplies';

export type ClientCommand =
  | { type: 'sse'; port: number; path: string; clients: number; questions: string[] }
  | { type: 'slow'; port: number; path: string }
  | { type: 'drain' }
  | { type: 'turns'; port: number; turns: number; checkpoints: number[]; question: string }
  | { type: 'continue' }
  | { type: 'exit' };

export type ClientReport =
  | { type: 'sse'; complete: number; ms: number }
  | { type: 'slow-connected' }
  | { type: 'slow'; bytes: number; chunkText: string; lastEvent: string }
  | { type: 'checkpoint'; turn: number }
  | { type: 'turns'; ok: number };

const send = (report: ClientReport): void => void process.send!(report);
let waiting: ((command: ClientCommand) => void) | undefined;
let slowSocket: Socket | undefined;

function sseClients(command: Extract<ClientCommand, { type: 'sse' }>): void {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const started = performance.now();
  const one = (i: number): Promise<boolean> =>
    new Promise((resolve) => {
      const question = command.questions[i % command.questions.length];
      const headers = { 'x-requested-with': 'bench' };
      const req = request({ host: '127.0.0.1', port: command.port, path: `${command.path}?q=${encodeURIComponent(question)}`, agent, headers }, (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          const text = [...body.matchAll(/^data: (\{"text".*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
          resolve(text === replyTo(question) && /^event: done$/m.test(body));
        });
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end();
    });
  void Promise.all(Array.from({ length: command.clients }, (_, i) => one(i))).then((results) => {
    agent.destroy();
    send({ type: 'sse', complete: results.filter(Boolean).length, ms: performance.now() - started });
  });
}

function slowReader(command: Extract<ClientCommand, { type: 'slow' }>): void {
  const socket = connect(command.port, '127.0.0.1');
  slowSocket = socket;
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  socket.on('close', () => {
    const raw = Buffer.concat(parts).toString('utf8');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, ''); // drop chunk-size lines
    const chunkText = [...body.matchAll(/^data: (\{"text".*)$/gm)].map((m) => (JSON.parse(m[1]) as { text: string }).text).join('');
    send({ type: 'slow', bytes: raw.length, chunkText, lastEvent: body.trimEnd().split('\n\n').pop() ?? '' });
  });
  socket.write(`GET ${command.path} HTTP/1.1\r\nHost: 127.0.0.1:${command.port}\r\nX-Requested-With: bench\r\nConnection: close\r\n\r\n`);
  socket.pause(); // reads nothing at all until the bench says so: the server's queue must fill
  socket.once('connect', () => send({ type: 'slow-connected' }));
}

async function turns(command: Extract<ClientCommand, { type: 'turns' }>): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${command.port}/ws`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let ok = 0;
  for (let turn = 1; turn <= command.turns; turn++) {
    await new Promise<void>((resolve) => {
      const onMessage = (data: unknown): void => {
        const m = JSON.parse(String(data)) as { type: string };
        if (m.type === 'done' || m.type === 'error') {
          if (m.type === 'done') ok++;
          ws.off('message', onMessage);
          resolve();
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ type: 'ask', question: command.question }));
    });
    if (command.checkpoints.includes(turn)) {
      send({ type: 'checkpoint', turn });
      await new Promise<ClientCommand>((resolve) => (waiting = resolve));
    }
  }
  ws.close();
  send({ type: 'turns', ok });
}

process.on('message', (command: ClientCommand) => {
  if (command.type === 'sse') sseClients(command);
  else if (command.type === 'slow') slowReader(command);
  else if (command.type === 'drain') slowSocket?.resume();
  else if (command.type === 'turns') void turns(command);
  else if (command.type === 'continue') waiting?.(command);
  else if (command.type === 'exit') process.exit(0);
});
