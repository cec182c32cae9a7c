/** Reading what contacts write: reply categories and their effect, keyword and model classifiers, times. */
export * from './categories';
export { classifyReply, DEFAULT_MODEL_TIMEOUT_MS } from './classify';
export type { Classification, ClassifyInput, HistoryLine } from './classify';
export { judgeFollowUp } from './judge';
export type { JudgeInput, Judgement } from './judge';
export { classifyByKeywords } from './keywords';
export { GOAL_PHRASE_LIMITS, matchGoalPhrase, parseGoalPhrases } from './goal-phrases';
export type { KeywordVerdict } from './keywords';
export type { ChatModelLike, PromptMessage } from '../ai';
export { resolveTimePhrase } from './time-phrases';
export type { PhraseContext, ResolvedTime } from './time-phrases';
