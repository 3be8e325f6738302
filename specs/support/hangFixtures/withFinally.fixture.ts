// Run only by specs/support/cleanup.spec.ts, in a child jest: the old way. A test that starts a
// server and closes it in `finally`, then hangs past its own (short, deliberate) timeout: the
// `finally` never runs and the server keeps the process alive.
import { connect } from 'node:net';
import { listen } from '../http';

it('starts a server, then hangs', async () => {
  const http = await listen((_req, res) => res.end('ok'));
  const socket = connect(Number(new URL(http.url).port), '127.0.0.1');
  try {
    await new Promise(() => undefined); // never settles: the test times out
  } finally {
    socket.destroy();
    await http.close();
  }
}, 200);
