/**
 * `npm run web` options: an unknown flag or a bad value is one line and the usage on stderr,
 * exit code 2, like `rxjs-langchain chat`; never a silent default port or a raw RangeError.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseWebArgs, webArgsOrExit, WEB_USAGE } from '../../demos/web/args';
import { UsageError } from '../../src/cli/args';
import { TS_NODE } from '../support/tsNode';
import { killChild, useCleanup } from '../support/cleanup';

const cleanup = useCleanup();

const root = join(__dirname, '../..');
jest.setTimeout(120_000); // the child process loads TypeScript and LangChain; nothing measures time

describe('parseWebArgs', () => {
  test.each([
    [[], {}, 3000],
    [['--port', '3001'], {}, 3001],
    [['--port=0'], {}, 0],
    [[], { PORT: '4000' }, 4000],
    [['--port', '3002'], { PORT: '4000' }, 3002],
  ])('%j with %j: port %i', (argv, env, port) => {
    expect(parseWebArgs(argv, env)).toEqual({ port, agent: false, help: false });
  });

  test('--agent: every mode chats with the guarded agent', () => {
    expect(parseWebArgs(['--agent', '--port', '0'], {})).toEqual({ port: 0, agent: true, help: false });
    expect(parseWebArgs(['--port=0', '--agent'], {})).toEqual({ port: 0, agent: true, help: false });
    expect(() => parseWebArgs(['--agent=yes'], {})).toThrow(new UsageError('Unknown option "--agent=yes".'));
  });

  test.each([
    [['--prot', '3005'], 'Unknown option "--prot".'],
    [['3005'], 'Unknown argument "3005".'],
    [['--port', 'abc'], '--port must be an integer 0–65535, got "abc".'],
    [['--port=70000'], '--port must be an integer 0–65535, got "70000".'],
    [['--port=1.5'], '--port must be an integer 0–65535, got "1.5".'],
    [['--port'], '--port needs a value.'],
    [['--port='], '--port must be an integer 0–65535, got "".'],
  ])('%j: UsageError %s', (argv, message) => {
    expect(() => parseWebArgs(argv, {})).toThrow(new UsageError(message));
  });

  test('a bad PORT is a usage error too', () => {
    expect(() => parseWebArgs([], { PORT: 'abc' })).toThrow(new UsageError('PORT must be an integer 0–65535, got "abc".'));
  });

  test('webArgsOrExit: one line and the usage on stderr, exit 2; --help on stdout, exit 0', () => {
    const written = { out: '', err: '' };
    const codes: number[] = [];
    const io = {
      out: { write: (t: string) => (written.out += t) },
      err: { write: (t: string) => (written.err += t) },
      exit: ((code: number) => {
        codes.push(code);
        throw new Error('exited');
      }) as (code: number) => never,
    };
    expect(() => webArgsOrExit(['--prot', '3005'], {}, io)).toThrow('exited');
    expect(written.err).toBe(`web demo: Unknown option "--prot".\n\n${WEB_USAGE}`);
    expect(() => webArgsOrExit(['--help'], {}, io)).toThrow('exited');
    expect(written.out).toBe(WEB_USAGE);
    expect(codes).toEqual([2, 0]);
    expect(webArgsOrExit(['--port', '0'], {}, io)).toEqual({ port: 0, agent: false, help: false });
  });
});

describe('npm run web (the server script in a child process)', () => {
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DEMO_LATENCY: '0' };
      delete env.OPENAI_API_KEY;
      delete env.PORT;
      const child = execFile(process.execPath, [...TS_NODE, 'demos/web/server.ts', ...args], { cwd: root, env }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      cleanup(killChild(child));
    });

  test.each([
    [['--prot', '3005'], 'web demo: Unknown option "--prot".'],
    [['--port', 'abc'], 'web demo: --port must be an integer 0–65535, got "abc".'],
  ])('%j: one line, the usage, exit 2, nothing started', async (args, line) => {
    const { code, stdout, stderr } = await run(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(`${line}\n\n${WEB_USAGE}`);
  });
});
