import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import type { ChatModelLike, PromptMessage } from '../../../engine/compose/types';

/**
 * LangChain's own fake chat models, set up for the compose tests: a list model that also reports
 * token usage and a model name (as real providers do), failing and slow models, and a recorder
 * that keeps every prompt it was sent.
 */

export class UsageFakeModel extends FakeListChatModel {
	constructor(
		responses: string[],
		private readonly usage = { input: 120, output: 30 },
		private readonly modelLabel = 'fake-gpt',
		sleep?: number,
	) {
		super({ responses, sleep });
	}

	_formatGeneration(text: string) {
		return {
			text,
			message: new AIMessage({
				content: text,
				usage_metadata: {
					input_tokens: this.usage.input,
					output_tokens: this.usage.output,
					total_tokens: this.usage.input + this.usage.output,
				},
				response_metadata: { model_name: this.modelLabel },
			}),
		};
	}
}

/** A model whose reply has exactly this content (a string, or content parts). */
export function contentModel(content: AIMessage['content']): FakeStreamingChatModel {
	return new FakeStreamingChatModel({ responses: [new AIMessage({ content }) as BaseMessage] });
}

export function failingModel(message: string): FakeStreamingChatModel {
	return new FakeStreamingChatModel({ thrownErrorString: message });
}

export function slowModel(ms: number): FakeListChatModel {
	return new FakeListChatModel({ responses: ['Too late to matter'], sleep: ms });
}

export interface Recorded {
	model: ChatModelLike;
	calls: PromptMessage[][];
	/** The most calls that were in flight at the same moment. */
	peak: () => number;
}

/** Wraps a model, keeping each prompt it receives and how many calls overlap. */
export function recording(inner: { invoke: ChatModelLike['invoke'] }): Recorded {
	const calls: PromptMessage[][] = [];
	let inFlight = 0;
	let peak = 0;
	const model: ChatModelLike = {
		invoke: async (messages, options) => {
			calls.push(messages);
			peak = Math.max(peak, ++inFlight);
			try {
				return await inner.invoke(messages, options);
			} finally {
				inFlight--;
			}
		},
	};
	return { model, calls, peak: () => peak };
}

/** The text of one role's message in a recorded prompt. */
export function said(prompt: PromptMessage[], role: PromptMessage[0], nth = 0): string {
	return prompt.filter(([r]) => r === role)[nth]?.[1] ?? '';
}
