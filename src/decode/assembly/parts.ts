import type { StreamPart } from '../../parts/types';
import type { Assembly } from './steps';

/** A value that already is a part passes through; a `finish` among them is the run's own. */
export function passPart(a: Assembly, part: StreamPart): void {
  if (part.type === 'finish') a.sawFinish = true;
  a.sink.next(part);
}
