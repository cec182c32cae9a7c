import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { DEFAULT_MODEL_TIMEOUT_MS } from '../../../engine/classify';
import { parameterError } from '../parameters';

/**
 * How long a node that asks the chat model for a judgement (Exit Check, Record Reply) waits for
 * it: the same parameter, bounds and reading on both. Past it, the node decides without the AI.
 */
export function modelTimeLimitProperty(
	property: Pick<INodeProperties, 'description' | 'displayOptions'>,
): INodeProperties {
	return {
		displayName: 'Model Time Limit (Seconds)',
		name: 'modelTimeout',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 300 },
		// The engine's default, DEFAULT_MODEL_TIMEOUT_MS, in seconds (a literal for the lint rules).
		default: 20,
		...property,
	};
}

/** The limit in milliseconds; empty means the default. */
export function readModelTimeLimit(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	kind: 'parameter' | 'option',
): number {
	if (value === undefined || value === null || value === '') return DEFAULT_MODEL_TIMEOUT_MS;
	const seconds = Number(value);
	if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) {
		throw parameterError(
			context,
			itemIndex,
			'Model Time Limit (Seconds)',
			`must be between 1 and 300, not ${JSON.stringify(value)}`,
			'Give the number of seconds to wait for the chat model, e.g. 20.',
			kind,
		);
	}
	return Math.round(seconds * 1000);
}
