/**
 * Where providers put the finish marker of a reply, in `response_metadata` (and LangChain's
 * generation info): OpenAI and compatible servers `finish_reason`, Anthropic `stop_reason`,
 * Ollama `done_reason`, Google `finishReason`. The one list of the library (issue 26).
 */
export const FINISH_KEYS: readonly string[] = ['finish_reason', 'stop_reason', 'done_reason', 'finishReason'];

/** True when `meta` carries a finish marker: a non-empty string, or any other value but null / false. */
export function hasFinishMarker(meta: unknown): boolean {
  if (typeof meta !== 'object' || meta === null) return false;
  for (const key of FINISH_KEYS) {
    const v = (meta as Record<string, unknown>)[key];
    if (typeof v === 'string' ? v.length > 0 : v !== undefined && v !== null && v !== false) return true;
  }
  return false;
}

/** The provider's finish reason in `meta` as a string (the first key that has one), or undefined. */
export function finishReasonOf(meta: Record<string, unknown> | undefined): string | undefined {
  if (meta === undefined) return undefined;
  const v = meta.finish_reason ?? meta.stop_reason ?? meta.done_reason ?? meta.finishReason;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
