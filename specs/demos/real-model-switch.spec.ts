import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { replyTo } from '../../src/offline/cannedReplies';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/testing/fakeOpenAIServer';

const root = join(__dirname, '../..');

function demo(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'demos/index.ts', ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe('demos with OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL', () => {
  let server: FakeOpenAIServer;
  afterAll(() => server?.close());

  it('use ChatOpenAI against the configured endpoint and say so', async () => {
    server = await startFakeOpenAIServer();
    const out = await demo(['stream'], {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: server.baseURL,
      OPENAI_MODEL: 'qwen2.5',
    });
    expect(out).toContain(`Model: ChatOpenAI qwen2.5 at ${server.baseURL}`);
    expect(out).toContain(replyTo('讲一个关于Python的笑话'));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).toMatchObject({ model: 'qwen2.5', stream: true });
  });
});
