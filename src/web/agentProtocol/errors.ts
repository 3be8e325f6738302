import { RxLangChainError } from '../../errors';

/** A run produced more events than its seq range holds (decision 0211). */
export class RunTooLongError extends RxLangChainError {
  readonly runId: string;

  constructor(runId: string, max: number) {
    super('AGENT_RUN_TOO_LONG', `Run ${JSON.stringify(runId)} produced more than ${max} protocol events; it was ended.`);
    this.runId = runId;
  }
}

/** A protocol request the handler refuses: its HTTP status and the protocol error code it answers with. */
export class AgentProtocolRequestError extends RxLangChainError {
  readonly status: number;
  readonly protocolCode: string;
  /** Extra response headers, e.g. `Retry-After` of a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, protocolCode: string, message: string, headers: Record<string, string> = {}) {
    super('AGENT_PROTOCOL_REQUEST', message);
    this.status = status;
    this.protocolCode = protocolCode;
    this.headers = headers;
  }
}
