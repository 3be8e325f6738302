import { connect } from 'node:net';

/** What a raw exchange got back: the bytes, and whether the server closed the connection. */
export interface RawAnswer {
  /** Everything received, latin1 (status line and headers are ASCII). */
  text: string;
  /** The status code of the first response, or undefined when none arrived. */
  status: number | undefined;
  /** True when the server ended or reset the connection. */
  closed: boolean;
  /** A socket error seen by the client (ECONNRESET, EPIPE), if any. */
  error?: string;
}

/**
 * Writes `raw` to a new TCP connection and resolves once a complete response
 * head has arrived (the connection is then destroyed by us) or the server
 * closed the connection. `waitForClose` keeps reading until the server closes.
 */
export function rawExchange(port: number, raw: string | Buffer, options: { waitForClose?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    let settled = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, closed, ...(error && { error }) });
      socket.destroy();
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!options.waitForClose && /\r\n\r\n/.test(text)) done(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => done(true));
    socket.write(raw);
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A raw socket client that sends `request` (`{port}` in it is replaced) and reads nothing until resumed. */
export function pausedClient(url: string, request: string): { resume(): Promise<string>; destroy(): void } {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(request.replace('{port}', port));
  socket.pause();
  return {
    resume: () =>
      new Promise<string>((resolve) => {
        const parts: Buffer[] = [];
        socket.on('data', (d: Buffer) => parts.push(d));
        socket.on('end', () => resolve(dechunk(Buffer.concat(parts))));
        socket.resume();
      }),
    destroy: () => socket.destroy(),
  };
}

/** The body of a raw HTTP/1.1 response with chunked transfer encoding. */
export function dechunk(raw: Buffer): string {
  let at = raw.indexOf('\r\n\r\n') + 4;
  const body: Buffer[] = [];
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    body.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(body).toString('utf8');
}
