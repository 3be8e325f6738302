/**
 * Starts the services a describe shares (redis-server, Postgres, …) side by side, and leaves none
 * running when one fails to start. `[redis, pg] = await Promise.all([startRedisServer(),
 * startPostgresServer()])` rejected at the first failed start and dropped the other service, still
 * starting or started: nothing held it, so no `afterAll` could stop it and its process outlived the
 * file. Here every start is awaited (`Promise.allSettled`); each service's `stop` is registered with
 * `cleanup` (a `useCleanupAfterAll()`) as soon as it runs, and when a start failed, the services that
 * did start are stopped before the error is rethrown.
 *
 * @example
 * ```ts
 * const cleanupAll = useCleanupAfterAll();
 * let redis: RedisServer;
 * let pg: PostgresServer;
 * beforeAll(async () => {
 *   [redis, pg] = await startServices(cleanupAll, startRedisServer, startPostgresServer);
 * });
 * ```
 */
import { runClosers, type Cleanup } from './cleanup';

/** What can be started for a describe or a test: stopped with its `stop()`, else its `close()`, else its `end()`. */
export type Service = { stop(): unknown } | { close(): unknown } | { end(): unknown };

const closerOf = (service: Service): (() => unknown) =>
  'stop' in service ? () => service.stop() : 'close' in service ? () => service.close() : () => service.end();

/**
 * Starts every service with its `start` at once; resolves with them in the same order once all
 * started. When any start failed: stops the ones that started (each once, the last started
 * first), then rejects with that start's error, or an `AggregateError` of every error (failed
 * starts, then a failed stop) when there are several.
 *
 * @param cleanup Where each started service's stop (`stop`, `close` or `end`) is registered (it runs once, whoever calls it first).
 * @param starts One function per service, starting it.
 * @returns The services, in the order of `starts`.
 */
export async function startServices<const S extends readonly Service[]>(cleanup: Cleanup, ...starts: { [K in keyof S]: () => Promise<S[K]> }): Promise<S> {
  const stops: Array<() => Promise<unknown>> = [];
  const started = await Promise.allSettled(
    starts.map(async (start: () => Promise<Service>) => {
      const service = await start();
      const stop = once(closerOf(service));
      stops.push(stop);
      cleanup(stop);
      return service;
    }),
  );
  const failures = started.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  if (failures.length === 0) return started.map((outcome) => (outcome as PromiseFulfilledResult<Service>).value) as unknown as S;
  const stopped = await runClosers(stops.reverse()).then(
    () => [],
    (error: unknown) => [error],
  );
  const errors = [...failures, ...stopped];
  throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${failures.length} of ${starts.length} services failed to start${stopped.length > 0 ? ', and stopping the others failed' : ''}`);
}

/** `stop` run at most once: later calls get the first call's promise. */
function once(stop: () => unknown): () => Promise<unknown> {
  let stopping: Promise<unknown> | undefined;
  return () => (stopping ??= Promise.resolve().then(stop));
}
