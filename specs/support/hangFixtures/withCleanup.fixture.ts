// Run only by specs/support/cleanup.spec.ts, in a child jest: a test that starts a server, registers
// its closer with useCleanup, then hangs past its own (short, deliberate) timeout.
import { connect } from 'node:net';
import { useCleanup } from '../cleanup';
import { listen } from '../http';

const cleanup = useCleanup();

it('starts a server, then hangs', async () => {
  const http = await listen((_req, res) => res.end('ok'));
  cleanup(() => http.close());
  const socket = connect(Number(new URL(http.url).port), '127.0.0.1');
  cleanup(() => socket.destroy());
  await new Promise(() => undefined); // never settles: the test times out
}, 200);
