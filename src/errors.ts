// Every error of the library, for `import … from '../errors'` and the entries' export lists. Each error
// is defined beside the layer that throws it (decision 0154); this file defines none.
export { RxLangChainError } from './RxLangChainError';
export { StreamAbortedError, ServerSentEventsResponseError, RemoteStreamError, StreamResumeError } from './sources/errors';
export { ForbiddenContentError, StreamTimeoutError, StreamInterruptedError } from './operators/errors';
export { TextInputError } from './decode/errors';
export { UnknownOptionError } from './internal/optionErrors';
export type { StreamTimeoutKind } from './operators/errors';
export { ChatSessionClosedError } from './history/errors';
export { SlowConsumerError, BadUIMessagesError } from './web/errors';
export { HistoryFileCorruptError, BadChatMessageError } from './node/errors';
export {
  ReplyNotFoundError,
  ReplyEventNotFoundError,
  ReplyProducerGoneError,
  ReplyExistsError,
  ConversationBusyError,
  ConversationLockLostError,
  StoreUnavailableError,
} from './node/replyLog/errors';
