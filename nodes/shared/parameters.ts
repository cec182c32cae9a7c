import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';
import { DateTime } from 'luxon';
import { optionalIdentity, type ValueSource } from './identity';

/**
 * Reading node parameters, for every node: each problem is reported against the parameter's
 * label as the user sees it in the editor, with how to fix it, before anything is written.
 * (What identifies a contact or a conversation is read by ./identity, which reports the same way.)
 */

type Where = INode | Pick<IExecuteFunctions, 'getNode'>;

/** `The "<label>" parameter <problem>`, with the fix as the error's description. */
export function parameterError(
	where: Where,
	itemIndex: number | undefined,
	label: string,
	problem: string,
	fix: string,
	/** An entry of an Options collection is an "option" in the editor. */
	kind: 'parameter' | 'option' = 'parameter',
): NodeOperationError {
	const node = 'getNode' in where ? where.getNode() : where;
	return new NodeOperationError(node, `The "${label}" ${kind} ${problem}`, {
		itemIndex,
		description: fix,
	});
}

/**
 * A date parameter as epoch milliseconds, undefined when empty. Users put in an ISO string, a
 * luxon DateTime from an expression, a JS Date or epoch milliseconds (10 or 13 digits).
 */
export function readTime(
	where: Where,
	itemIndex: number,
	label: string,
	value: unknown,
): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
	if (DateTime.isDateTime(value) && value.isValid) return value.toMillis();
	if (typeof value === 'string') {
		const parsed = DateTime.fromISO(value, { setZone: true });
		if (parsed.isValid) return parsed.toMillis();
		if (/^\d{10,13}$/.test(value)) return Number(value.length === 10 ? `${value}000` : value);
	}
	throw parameterError(
		where,
		itemIndex,
		label,
		`is not a date: ${JSON.stringify(value)}`,
		'Use an ISO date such as 2026-03-02T09:00:00Z, or an expression like {{ $now }}.',
	);
}

/** A whole number that must be at least `min`, or undefined when empty. */
export function readWholeNumber(
	where: Where,
	itemIndex: number,
	label: string,
	value: unknown,
	min: number,
): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'number' ? value : Number(String(value).trim());
	if (!Number.isInteger(number) || number < min) {
		throw parameterError(
			where,
			itemIndex,
			label,
			`must be a whole number of at least ${min}, not ${JSON.stringify(value)}`,
			`Enter a whole number such as ${Math.max(min, 1)}.`,
		);
	}
	return number;
}

/**
 * A whole-number id from a string parameter. The parameters are strings because their defaults
 * are expressions ({{ $json.enrollmentId }}) and a typed number would reject "42" from a webhook.
 * 0 is allowed through: it is the id of the Follow-up Trigger's preview items.
 */
export function readId(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	fix: string,
): number {
	const raw = context.getNodeParameter(name, itemIndex, '') as unknown;
	const text = raw === undefined || raw === null ? '' : String(raw).trim();
	if (text === '') throw parameterError(context, itemIndex, label, 'is empty', fix);
	if (!/^\d{1,15}$/.test(text)) {
		throw parameterError(
			context,
			itemIndex,
			label,
			`must be a whole number such as 42, not ${JSON.stringify(raw)}`,
			fix,
		);
	}
	return Number(text);
}

/**
 * The cadence name out of a resource locator value ('' when none is picked). With `source`, a
 * value that is neither text nor a number fails naming the parameter.
 */
export function cadenceNameFrom(value: unknown, source?: ValueSource): string {
	const picked =
		value && typeof value === 'object' && !Array.isArray(value) && 'value' in value
			? (value as { value: unknown }).value
			: value;
	if (source) return optionalIdentity(picked, source);
	return typeof picked === 'string' || typeof picked === 'number' ? String(picked) : '';
}
