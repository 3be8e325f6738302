export { fromRunnable } from './fromRunnable';
export type { StreamableRunnable } from './fromRunnable';
export { fromStreamEvents } from './fromStreamEvents';
export type { StreamEventsRunnable, StreamEventsConfig } from './fromStreamEvents';
export { fromAsyncIterableFactory } from './fromAsyncIterableFactory';
export { observeStream, isObservableStreamable, observeSequence, findSequenceObserver } from './observeStream';
export type { ObservableStreamable, SequenceObserver } from './observeStream';
export { compareInvokeAndStream } from './compareLatency';
export type { CompareLatencyOptions, LatencyComparison, InvokableStreamableRunnable } from './compareLatency';
