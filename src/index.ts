// rxjs-langchain: the platform-neutral root entry. No Node builtin and no `ws` is imported
// from here (specs/package/platform-neutral.spec.ts); Node adapters live in `rxjs-langchain/node`.

// Sources: the only async boundary.
export { fromRunnable } from './sources/fromRunnable';
export type { StreamableRunnable } from './sources/fromRunnable';
export { observeStream, observeSequence } from './sources/observeStream';
export type { ObservableRunnable, SequenceObserver } from './sources/observeStream';
export { fromStreamEvents } from './sources/fromStreamEvents';
export type { StreamEventsRunnable, StreamEventsConfig } from './sources/fromStreamEvents';
export { fromAsyncIterableFactory } from './sources/fromAsyncIterableFactory';
export { fromModelEvents } from './sources/fromModelEvents';
export type { ModelEventsRunnable } from './sources/fromModelEvents';
export { fromAgent } from './sources/fromAgent';
export type { StreamableAgent, AgentStreamConfig } from './sources/fromAgent';
export { fromServerSentEvents } from './sources/fromServerSentEvents';
export type { FromServerSentEventsInit, ServerSentEventMessage, ServerSentEventsResumeOptions } from './sources/fromServerSentEvents';

// Parts: the typed stream of a model call or an agent run.
export { toParts } from './parts/toParts';
export type { TextLike, MessageChunkLike } from './decode/text';
export { collectRun } from './parts/collectRun';
export type { RunResult } from './parts/collectRun';
export type {
  StreamPart,
  StreamPartType,
  PartOrigin,
  PartSourceValue,
  TextPart,
  ReasoningPart,
  ToolCallStartPart,
  ToolCallDeltaPart,
  ToolCallPart,
  ToolResultPart,
  StepStartPart,
  StepFinishPart,
  UsagePart,
  CustomPart,
  FinishPart,
} from './parts/types';
export type { ModelStreamEvent, ModelStreamContentBlock } from './parts/events';

// Operators.
export { textContent } from './operators/textContent';
export { collectText } from './operators/collectText';
export { collectMessage } from './operators/collectMessage';
export { abortOn } from './operators/abortOn';
export type { AbortOnOptions, ForbiddenContentMatch } from './operators/abortOn';
export { forbiddenWords } from './operators/forbiddenWords';
export type { ForbiddenWords, ForbiddenWordsOptions } from './operators/forbiddenWords';
export { progress } from './operators/progress';
export type { ProgressEvent, ProgressOptions } from './operators/progress';
export { tapProgress } from './operators/tapProgress';
export { streamMetrics } from './operators/streamMetrics';
export type { StreamMetrics, StreamMetricsOptions } from './operators/streamMetrics';
export { smooth } from './operators/smooth';
export type { SmoothOptions, SmoothChunking } from './operators/smooth';
export { streamTimeout } from './operators/streamTimeout';
export type { StreamTimeoutOptions } from './operators/streamTimeout';
export { retryBeforeFirstChunk, isRetryableError } from './operators/retryBeforeFirstChunk';
export type { RetryBeforeFirstChunkOptions } from './operators/retryBeforeFirstChunk';
export { requireCompletion } from './operators/requireCompletion';
export type { RequireCompletionOptions, CompletableChunk } from './operators/requireCompletion';

// History.
export { chatTurns } from './history/chatTurns';
export type { PartialReason, PartialReplyMetadata } from './history/partialReply';
export { streamAgentTurn } from './history/streamAgentTurn';
export type { MessagesInput } from './history/streamAgentTurn';
export { windowHistory } from './history/windowHistory';
export type {
  ChatTurnsOptions,
  IncompleteReplyPolicy,
  StreamTurn,
  TurnInput,
  TurnChunkEvent,
  TurnMessageChunkEvent,
  TurnPartEvent,
  TurnDoneEvent,
  TurnFailedEvent,
  TurnCompletionCheck,
  TurnEvent,
} from './history/types';
export { ChatSession } from './history/ChatSession';
export type { ChatSessionOptions, TurnResult } from './history/ChatSession';
export { applyEditedCalls } from './history/editedCalls';

// Concurrency.
export { mergeStreams } from './concurrency/mergeStreams';
export type { LabelledEvent, LabelledValue, LabelledComplete, LabelledError, MergeStreamsOptions } from './concurrency/mergeStreams';
export { collectResults } from './concurrency/collectResults';
export type { StreamResult } from './concurrency/collectResults';

// Web framing (Web `Response` / `ReadableStream` only).
export { toServerSentEvents } from './web/toServerSentEvents';
export type { ToServerSentEventsOptions, ServerSentEventKind } from './web/toServerSentEvents';
export { toServerSentEventsResponse } from './web/toServerSentEventsResponse';
export type { ToServerSentEventsResponseOptions } from './web/toServerSentEventsResponse';
export { checkQuestion } from './web/checkQuestion';
export type { QuestionProblem } from './web/checkQuestion';

// AI SDK UI message stream (useChat / Chat).
export { toUIMessageStream } from './web/toUIMessageStream';
export type { ToUIMessageStreamOptions, UIMessageStreamInput, UIMessageStreamMetadata } from './web/toUIMessageStream';
export { toUIMessageStreamResponse } from './web/toUIMessageStreamResponse';
export type { ToUIMessageStreamResponseOptions } from './web/toUIMessageStreamResponse';
export type { UIMessageStreamFramingOptions } from './web/uiMessageStreamFrames';
export { fromUIMessages } from './web/fromUIMessages';
export type { FromUIMessagesOptions } from './web/fromUIMessages';
export { decodeUIMessageStream } from './web/decodeUIMessageStream';
export type { UIMessageChunk, UIMessageChunkType, UIFinishReason, UIDataChunk } from './web/uiMessageChunk';

// LangGraph's Agent Streaming Protocol (what @langchain/langgraph-sdk and useStream speak).
export { createAgentProtocolHandler } from './web/agentProtocol/createAgentProtocolHandler';
export type { AgentProtocolHandler, AgentProtocolHandlerOptions } from './web/agentProtocol/createAgentProtocolHandler';
export type { AgentProtocolGraph, CompiledGraphLike, GraphStateSnapshot } from './web/agentProtocol/graphs';
export { fromAgentServer } from './sources/fromAgentServer';
export type { FromAgentServerOptions } from './sources/fromAgentServer';
export type { AgentServerResponse } from './sources/agentServerRespond';

// Errors.
export {
  RxLangChainError,
  StreamAbortedError,
  StreamInterruptedError,
  ForbiddenContentError,
  StreamTimeoutError,
  TextInputError,
  SlowConsumerError,
  ChatSessionClosedError,
  BadUIMessagesError,
  ServerSentEventsResponseError,
  RemoteStreamError,
  StreamResumeError,
} from './errors';
export type { StreamTimeoutKind } from './errors';

// Chat back ends: one Web-standard handler (Next.js, Hono, Deno, Bun, workers; toNodeHandler in /node).
export { createChatHandler } from './web/chatHandler/createChatHandler';
export type {
  ChatHandler,
  ChatHandlerOptions,
  ChatAction,
  Authorize,
  AuthorizeInput,
  ChatStream,
  ChatRunInput,
  ChatProtocol,
  ChatFinish,
  ChatAllowedHosts,
  ChatAllowedOrigins,
  ChatTurnInput,
  ChatDecisionInput,
  ChatTurnMessage,
} from './web/chatHandler/types';
export { InMemoryConversationOwners } from './web/chatHandler/owners';
export type { ConversationOwners } from './web/chatHandler/owners';
export { ChatRequestError } from './web/chatHandler/errors';

// Resumable replies and conversation locks in this process (Redis ones: rxjs-langchain/node).
export { InMemoryReplyLog } from './replyLog/InMemoryReplyLog';
export { InMemoryConversationLock } from './replyLog/InMemoryConversationLock';
export { toTurnServerSentEvents } from './replyLog/toTurnServerSentEvents';
export type { ToTurnServerSentEventsOptions } from './replyLog/toTurnServerSentEvents';
export { replyLogErrorFrame } from './replyLog/replyLogErrorFrame';
export type {
  ReplyLog,
  ReplyLogEntry,
  ReplyLogOptions,
  AppendReplyOptions,
  ReadReplyOptions,
  LatestReply,
  ConversationLock,
  ConversationLockOptions,
  LockTurn,
} from './replyLog/types';
export {
  ReplyNotFoundError,
  ReplyEventNotFoundError,
  ReplyProducerGoneError,
  ReplyExistsError,
  ConversationBusyError,
  ConversationLockLostError,
  StoreUnavailableError,
  UnknownOptionError,
} from './errors';
// Approvals: a person decides about an agent's tool call (human in the loop).
export { approvalResume } from './sources/approvalResume';
export type { ApprovalDecision, ApprovalRequestRef } from './sources/approvalResume';
export type { ApprovalRequestPart, ApprovalDecisionType } from './parts/types';
export type { DecisionTurn, TurnAwaitingEvent } from './history/types';
export type { StreamAgentTurnOptions } from './history/streamAgentTurn';
export { AwaitingDecisionError, NoPendingApprovalError } from './history/approvalErrors';
export { fromUIApprovals } from './web/fromUIApprovals';
export type { FromUIApprovalsOptions, UIApprovalResponses } from './web/fromUIApprovals';
export { ApprovalResponseError } from './web/approvalErrors';
export type { ApprovalSecret } from './web/approvalSignature';
