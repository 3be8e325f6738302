export { textContent } from './textContent';
export { collectText } from './collectText';
export { runningText } from './runningText';
export { collectMessage } from './collectMessage';
export { abortOn } from './abortOn';
export type { AbortOnOptions, ForbiddenContentMatch } from './abortOn';
export { progress } from './progress';
export type { ProgressEvent, ProgressOptions } from './progress';
export { tapProgress } from './tapProgress';
