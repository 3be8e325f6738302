// A test that times out must not keep jest (and CI) alive, and its log must say what it was waiting
// on (docs/decisions/0395). Each case runs a child jest, in band as on a 2-core CI machine, on one
// fixture whose test starts a server and then never settles past its own short timeout. No clock
// here: a child that never exits is this test's own jest timeout.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { killChild, runClosers, useCleanup } from '../support/cleanup';

const root = join(__dirname, '..', '..');
const cleanup = useCleanup();

async function runJest(fixture: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--runInBand', '--ci', '--testMatch', `**/hangFixtures/${fixture}`, '--testPathIgnorePatterns', '/node_modules/'],
    { cwd: root, env: { ...process.env, ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanup(killChild(child));
  let output = '';
  child.stdout.on('data', (part: Buffer) => (output += part.toString()));
  child.stderr.on('data', (part: Buffer) => (output += part.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  return { code, output };
}

describe('a test that hangs past its timeout', () => {
  it('with its server closed by useCleanup: jest reports the failure and exits by itself', async () => {
    // The exit guard is pushed out of reach: only the cleanup can let this child exit in time.
    const { code, output } = await runJest('withCleanup.fixture.ts', { RXLC_EXIT_GUARD_MS: String(3_600_000) });
    expect(code).toBe(1);
    expect(output).toMatch(/Tests: +1 failed, 1 total/);
    expect(output).toContain('Exceeded timeout of 200 ms for a test');
    // what it was waiting on, at the timeout
    expect(output).toMatch(/\[timeout report\] specs\/support\/hangFixtures\/withCleanup\.fixture\.ts: "starts a server, then hangs" timed out\. The process was waiting with these open:\n {2}active resources: .*TCPServerWrap/);
    expect(output).toMatch(/ {2}- Server listening on 127\.0\.0\.1:\d+\n {2}- socket 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+/);
    // and that the hooks released all of it
    expect(output).toContain('withCleanup.fixture.ts: after its hooks ran, nothing it opened is still open.');
    expect(output).not.toContain('[exit guard]');
    expect(output).not.toContain('did not exit');
  });

  it('with its server closed in `finally` (which never runs): the exit guard names the server and exits 1', async () => {
    const { code, output } = await runJest('withFinally.fixture.ts', { RXLC_EXIT_GUARD_MS: '1000' });
    expect(code).toBe(1);
    expect(output).toMatch(/Tests: +1 failed, 1 total/);
    expect(output).toMatch(/withFinally\.fixture\.ts: after its hooks ran, it still leaves open \(these keep its process alive\):\n {2}active resources \(new\): .*TCPServerWrap[^\n]*\n {2}- Server listening on 127\.0\.0\.1:\d+/);
    expect(output).toMatch(/\[exit guard\] The test run is over but the process is still held open 1 s later by:\n {2}active resources: [^\n]*\n(?: {2}- [^\n]*\n)* {2}- Server listening on 127\.0\.0\.1:\d+/);
  });
});

describe('useCleanup', () => {
  const patient = useCleanup(1); // a closer that never ends outlives any patience; the next one still runs
  const ran: string[] = [];
  it('runs the closers last-registered first, past one that never ends', () => {
    patient(() => ran.push('first registered'));
    patient(() => new Promise(() => undefined));
    patient(() => ran.push('last registered'));
  });
  it('(the closers of the test above ran)', () => {
    expect(ran).toEqual(['last registered', 'first registered']);
  });

  it('fails (after running the rest) when closers throw, as a throwing `finally` did', async () => {
    const after: string[] = [];
    const one = runClosers([() => Promise.reject(new Error('could not close')), () => after.push('next')]);
    await expect(one).rejects.toThrow('could not close');
    expect(after).toEqual(['next']);
    const both = runClosers([() => Promise.reject(new Error('a')), () => {
      throw new Error('b');
    }]);
    await expect(both).rejects.toMatchObject({ message: '2 closers failed', errors: [new Error('a'), new Error('b')] });
  });
});
