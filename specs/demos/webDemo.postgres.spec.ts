/**
 * `npm run web` with DATABASE_URL: the agents' threads (the chat handler's `--agent` and the
 * 智能体协议 mount) in Postgres through `connectPostgresCheckpointer`, so that two real processes
 * over one redis-server and one Postgres database behave as one: a request for approval asked on
 * A is shown and answered on B, on both mounts. A wrong DATABASE_URL fails the start with one line
 * naming it (password redacted), and leaves nothing open (the process exits by itself).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { fromAgentServer, type StreamPart } from '../../src';
import { PostgresUnreachableError } from '../../src/node';
import { createScaleOut } from '../../demos/web/scaleOut';
import { askBody, uiChunks, waitingOf, sseEvents } from '../support/approvalHandler';
import { describeWithPostgres, startPostgresServer, type PostgresServer } from '../support/postgres';
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from '../support/redis';
import { NOT_CROSS_SITE } from '../support/sse';
import { spawnWebDemo, type WebDemoProcess } from '../support/webDemoProcess';
import { TS_NODE } from '../support/tsNode';
import { killChild, useCleanup, useCleanupAfterAll } from '../support/cleanup';
import { startServices } from '../support/services';

const cleanup = useCleanup();

const JSON_POST = { 'content-type': 'application/json', ...NOT_CROSS_SITE };
const QUESTION = '123 加 456 等于多少？';

/** Runs `npm run web`'s command to its exit: its code and what it wrote on stderr. */
function runWebDemo(env: Record<string, string>, args: readonly string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TS_NODE, 'demos/web/server.ts', '--port', '0', ...args], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, OPENAI_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup(killChild(child));
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (part: Buffer) => (stderr += part.toString()));
    child.stdout.on('data', (part: Buffer) => (stdout += part.toString()));
    child.once('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describeWithPostgres('npm run web with DATABASE_URL', () => {
  it('createScaleOut: a wrong DATABASE_URL rejects with PostgresUnreachableError naming it, password redacted', async () => {
    const port = await freePort(); // nothing listens there
    const error = await createScaleOut({ databaseUrl: `postgresql://demo:s3cret@127.0.0.1:${port}/app`, connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot use Postgres at postgresql://demo:\\*\\*\\*@127\\.0\\.0\\.1:${port}/app within 300 ms .*\\(DATABASE_URL\\)`));
    expect((error as Error).message).not.toContain('s3cret');
  });

  describeWithRedis('and REDIS_URL, as two processes', () => {
    jest.setTimeout(240_000); // every instance is a fresh ts-node process; on a loaded machine that takes minutes, and nothing here measures time
    let redis: RedisServer;
    let pg: PostgresServer;
    let databaseUrl: string;
    let a: WebDemoProcess | undefined;
    let b: WebDemoProcess | undefined;
    beforeAll(async () => {
      [redis, pg] = await startServices(cleanupAll, startRedisServer, startPostgresServer);
      databaseUrl = await pg.createDatabase();
    }, 120_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });
    const cleanupAll = useCleanupAfterAll(); // after the afterAll above: the demo processes stop before their Redis and Postgres

    it('a wrong DATABASE_URL (Redis fine): exit 1, one line naming it with the password redacted, Redis closed again', async () => {
      const port = await freePort();
      const run = await runWebDemo({ REDIS_URL: redis.url, DATABASE_URL: `postgresql://demo:s3cret@127.0.0.1:${port}/app` }, ['--agent']);
      expect(run.code).toBe(1); // it exits by itself: the Redis client it had opened was closed
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^Cannot use Postgres at postgresql://demo:\\*\\*\\*@127\\.0\\.0\\.1:${port}/app within 5000 ms \\(.*\\(DATABASE_URL\\).*\\n$`));
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).not.toContain('s3cret');
    });

    it('--agent: the approval asked on A is shown on B and answered there, on the chat handler and on /api/agent', async () => {
      const env = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl, DEMO_LATENCY: '0' };
      [a, b] = await Promise.all([spawnWebDemo(env, ['--agent']), spawnWebDemo(env, ['--agent'])]);
      const chatId = `pg-${crypto.randomUUID()}`;
      const asked = await uiChunks(await fetch(`${a.url}/api/chat`, { method: 'POST', headers: JSON_POST, body: JSON.stringify(askBody(chatId, QUESTION)) }));
      const waiting = waitingOf(asked);
      expect(waiting.input).toEqual({ a: 123, b: 456 });
      const history = await (await fetch(`${b.url}/api/chat/${chatId}/history`, { headers: NOT_CROSS_SITE })).json();
      expect(history.pendingApprovals.map((r: { id: string }) => r.id)).toEqual([waiting.approvalId]);
      const answered = await sseEvents(await fetch(`${b.url}/api/chat/stream`, { method: 'POST', headers: JSON_POST, body: JSON.stringify({ conversationId: chatId, decisions: [{ id: waiting.approvalId, type: 'approve' }] }) }));
      expect(answered.at(-1)!.event).toBe('done');
      expect(answered.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('')).toBe('123 + 456 = 579。🧮');
      // The thread is in Postgres, in the chat handler's schema.
      const rows = await pg.pool(databaseUrl).query('SELECT count(*)::int AS n FROM chat_threads.checkpoints WHERE thread_id = $1', [chatId]);
      expect(rows.rows[0].n).toBeGreaterThan(0);

      const threadId = crypto.randomUUID();
      const api = (demo: WebDemoProcess) => `${demo.url}/api/agent`;
      const first = await lastValueFrom(fromAgentServer({ apiUrl: api(a), assistantId: 'agent', threadId, input: { messages: [{ role: 'user', content: 'Python 3.12 是哪天发布的？' }] } }).pipe(toArray()));
      const request = first.find((p) => p.type === 'approval-request') as { interruptId: string };
      expect(first.at(-1)).toMatchObject({ type: 'finish', finishReason: 'awaiting-decision' });
      const second = await lastValueFrom(fromAgentServer({ apiUrl: api(b), assistantId: 'agent', threadId, respond: { interruptId: request.interruptId, response: { decisions: [{ type: 'approve' }] } } }).pipe(toArray()));
      const text = (parts: StreamPart[]) => parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
      expect(text(second)).toBe('Python 3.12 于 2023 年 10 月 2 日发布。 🐍');
      const threads = await pg.pool(databaseUrl).query('SELECT count(*)::int AS n FROM public.checkpoints WHERE thread_id = $1', [threadId]);
      expect(threads.rows[0].n).toBeGreaterThan(0);
    });
  });
});
