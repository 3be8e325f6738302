import type { StreamPart } from './types';

/**
 * Whether a part stream proved that its run finished (decision 0117): every step
 * that started finished, each with a finish reason (reported by the model, or implied
 * by a message that arrived whole without streaming), and there was at least one step
 * (or, for hand-made parts without steps, a `finish` part with a known reason). A step
 * cut cleanly shows no finish reason, so a run whose last answer was cut, or that went
 * on after a cut step, is not finished. Used by `requireCompletion` and chat turns.
 */
export class RunCompletion {
  private steps = 0;
  private open = 0;
  private unproven = 0;
  private finishReason: string | undefined;

  push(part: StreamPart): void {
    switch (part.type) {
      case 'step-start':
        this.steps++;
        this.open++;
        return;
      case 'step-finish':
        this.open--;
        if (part.finishReason === undefined) this.unproven++;
        return;
      case 'finish':
        this.finishReason = part.finishReason;
        return;
      default:
        return;
    }
  }

  /** True once the stream, if it completes now, completed a finished run. */
  get finished(): boolean {
    if (this.open > 0 || this.unproven > 0) return false;
    return this.steps > 0 || (this.finishReason !== undefined && this.finishReason !== 'unknown');
  }
}
