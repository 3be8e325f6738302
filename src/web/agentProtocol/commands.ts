import { AgentProtocolRequestError } from './errors';
import type { AgentProtocolService } from './service';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const bad = (message: string): never => {
  throw new AgentProtocolRequestError(400, 'invalid_argument', message);
};

/** A checked `{ id, method, params }` (protocol.ts `Command`): `id` a non-negative integer, `params` an object. */
export function parseCommand(body: unknown): { id: number; method: string; params: Json } {
  if (!isRecord(body)) return bad('A protocol command is a JSON object {"id", "method", "params"}.');
  const { id, method, params = {} } = body;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return bad('Protocol commands must include a non-negative integer "id".');
  if (typeof method !== 'string' || method.length === 0) return bad('Protocol commands must include a string "method".');
  if (!isRecord(params)) return bad('"params" must be an object.');
  return { id, method, params };
}

const optionalRecord = (name: string, value: unknown): Json | undefined => {
  if (value === undefined || value === null) return undefined;
  return isRecord(value) ? value : bad(`"${name}" must be an object.`);
};

/** The answers of an `input.respond`, single or batch form. */
function responsesOf(params: Json): Array<{ interrupt_id: string; response: unknown }> {
  const entries = Array.isArray(params.responses) ? (params.responses as unknown[]) : [params];
  if (entries.length === 0) return bad('input.respond needs at least one response.');
  return entries.map((entry) => {
    if (!isRecord(entry) || typeof entry.interrupt_id !== 'string' || entry.interrupt_id.length === 0) return bad('input.respond needs "interrupt_id" (a string) and "response".');
    return { interrupt_id: entry.interrupt_id, response: entry.response };
  });
}

/**
 * Runs one command on a thread and returns the protocol's success `result`. Refusals throw
 * {@link AgentProtocolRequestError}; the handler answers them with their HTTP status.
 */
export async function runCommand(service: AgentProtocolService, threadId: string, method: string, params: Json, principal?: string): Promise<Json> {
  switch (method) {
    case 'run.start': {
      const assistantId = params.assistant_id;
      if (assistantId !== undefined && typeof assistantId !== 'string') return bad('"assistant_id" must be a string.');
      return await service.startRun(threadId, { assistantId, input: params.input ?? null, config: optionalRecord('config', params.config), metadata: optionalRecord('metadata', params.metadata), principal });
    }
    case 'input.respond': {
      const responses = responsesOf(params);
      await service.respond(threadId, responses, { input: null, config: optionalRecord('config', params.config), metadata: optionalRecord('metadata', params.metadata), update: optionalRecord('update', params.update), goto: params.goto, principal });
      return {};
    }
    case 'state.get': {
      const state = await service.state(threadId);
      if (!state) throw new AgentProtocolRequestError(404, 'invalid_argument', `Thread ${threadId} not found.`);
      const checkpointId = (state.json.checkpoint as { checkpoint_id?: unknown }).checkpoint_id;
      return { values: state.json.values, ...(typeof checkpointId === 'string' ? { checkpoint: { id: checkpointId } } : {}) };
    }
    default:
      throw new AgentProtocolRequestError(200, 'unknown_command', `Unknown protocol command: ${method}`);
  }
}

/** The event stream filter (`POST …/stream/events` body), checked as strictly as langgraph-api does. */
export function parseStreamFilter(body: unknown): { channels: string[]; namespaces?: string[][]; depth?: number; since?: number } {
  if (!isRecord(body)) return bad('The event stream request is a JSON object {"channels", "namespaces"?, "depth"?, "since"?}.');
  for (const key of Object.keys(body)) if (!['channels', 'namespaces', 'depth', 'since'].includes(key)) bad(`Unknown key ${JSON.stringify(key)} in the event stream request.`);
  const { channels, namespaces, depth, since } = body;
  if (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string')) return bad('"channels" must be an array of strings.');
  if (namespaces !== undefined && !(Array.isArray(namespaces) && namespaces.every((n) => Array.isArray(n) && n.every((s) => typeof s === 'string')))) {
    return bad('"namespaces" must be an array of string arrays.');
  }
  const count = (name: string, value: unknown): number | undefined =>
    value === undefined ? undefined : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : bad(`"${name}" must be a non-negative integer.`);
  return { channels: channels as string[], namespaces: namespaces as string[][] | undefined, depth: count('depth', depth), since: count('since', since) };
}
