export {
  createRouter,
  isExchangeType,
  EXCHANGE_TYPES,
  type BindingSpec,
  type ExchangeRouter,
  type ExchangeType,
} from './exchange-router.js';
export { DirectRouter } from './direct-router.js';
export { FanoutRouter } from './fanout-router.js';
export { TopicRouter } from './topic-router.js';
export { HeadersRouter } from './headers-router.js';
export { TopicTrie, splitTopicKey } from './topic-trie.js';
export {
  headersMatch,
  validateHeadersBindingArgs,
  compileHeadersMatch,
  matchCompiled,
  xMatchMode,
  type XMatch,
  type CompiledHeadersMatch,
} from './headers-match.js';
export { erlangTypeName, formatErlangValue, formatErlangBinary, formatErlangFloat } from './erlang-format.js';
