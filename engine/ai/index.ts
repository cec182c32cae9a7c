/** Calling a chat model: one module for compose, reply classification and Exit Check's judgement. */
export {
	askForText,
	callModel,
	excerpt,
	extractJsonObject,
	replyText,
	type CallOptions,
	type ChatModelLike,
	type ModelCall,
	type ModelFailure,
	type ModelReply,
	type PromptMessage,
	type TextAnswer,
} from './model-call';
