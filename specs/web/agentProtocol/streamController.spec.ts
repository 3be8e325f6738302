/**
 * `stop()` of the SDK's `StreamController` (what `@langchain/react`'s `useStream` drives) against
 * our server: after `respond()` it cancels the resumed run, because the run's root lifecycle
 * events carry `synth:<run_id>:<seq>` ids (decision 0301); a controller that only reattached to a
 * running thread (a reloaded page) has no run id to cancel, whatever the server sends, so its
 * `stop()` only stops reading (docs/agent-protocol.md, "useStream").
 */
import { Client } from '@langchain/langgraph-sdk';
import { StreamController } from '@langchain/langgraph-sdk/stream';
import { startCluster, type ProtocolCluster } from '../../support/agentProtocol';

type Snapshot = { interrupts: ReadonlyArray<{ id?: string }>; isLoading: boolean; threadId: string | null };
type Controller = StreamController & { rootStore: { getSnapshot(): Snapshot; subscribe(listener: () => void): () => void } };

const QUESTION = { messages: [{ type: 'human', content: 'Python 3.12 是哪天发布的？' }] };

/** Resolves when the controller's root snapshot satisfies `ok` (on the store's own notifications). */
function until(controller: Controller, ok: (s: Snapshot) => boolean): Promise<Snapshot> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const snapshot = controller.rootStore.getSnapshot();
      if (ok(snapshot)) resolve(snapshot);
      return ok(snapshot);
    };
    if (check()) return;
    const unsubscribe = controller.rootStore.subscribe(() => check() && unsubscribe());
  });
}

/** Resolves when `done()` holds, checked once per turn of the event loop (no clock). */
const eventually = (done: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => (done() ? resolve() : void setImmediate(check));
    check();
  });

describe('StreamController.stop() against createAgentProtocolHandler', () => {
  let cluster: ProtocolCluster;
  const controllers: Controller[] = [];
  beforeEach(async () => {
    cluster = await startCluster(() => ({}));
  });
  afterEach(async () => {
    for (const controller of controllers.splice(0)) await controller.dispose();
    await cluster.close();
  });
  const open = (threadId: string | null): Controller => {
    const controller = new StreamController({ assistantId: 'agent', client: new Client({ apiUrl: cluster.a.url, apiKey: null }), threadId } as never) as Controller;
    controllers.push(controller);
    return controller;
  };

  /** Asks on a new thread and waits for the approval request; returns the controller and the thread. */
  async function askAndWait() {
    const page = open(null);
    void page.submit(QUESTION).catch(() => undefined);
    const { interrupts, threadId } = await until(page, (s) => s.interrupts.length > 0 && s.threadId !== null);
    return { page, threadId: threadId!, interruptId: interrupts[0].id! };
  }

  it('stop() after respond() cancels the resumed run: its running tool is aborted, the next run works', async () => {
    const { page, interruptId } = await askAndWait();
    cluster.gate.held = true;
    const started = cluster.gate.started();
    void page.respond({ decisions: [{ type: 'approve' }] }, { interruptId }).catch(() => undefined);
    await started;
    await page.stop();
    await eventually(() => cluster.gate.aborted === 1);
    await until(page, (s) => !s.isLoading);
    void page.submit(QUESTION).catch(() => undefined);
    await until(page, (s) => s.interrupts.length > 0);
  });

  it('a controller that reattached to a running thread (a reloaded page) stops reading but cancels nothing: the SDK knows no run id there', async () => {
    const { page, threadId, interruptId } = await askAndWait();
    cluster.gate.held = true;
    const started = cluster.gate.started();
    void page.respond({ decisions: [{ type: 'approve' }] }, { interruptId }).catch(() => undefined);
    await started;
    const reloaded = open(null);
    await reloaded.hydrate(threadId);
    await until(reloaded, (s) => s.isLoading);
    await reloaded.stop();
    // A cancel would have aborted the held tool before the cancel request was answered.
    expect(cluster.gate.aborted).toBe(0);
    cluster.gate.release();
    await until(page, (s) => !s.isLoading);
    expect(cluster.gate.aborted).toBe(0);
  });
});
