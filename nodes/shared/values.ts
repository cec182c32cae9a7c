import { NodeOperationError, type INode } from 'n8n-workflow';
import { DateTime } from 'luxon';
import { optionalIdentity, type ValueSource } from './identity';

/**
 * Turns what a user can put in a date parameter (an ISO string, a luxon DateTime from an
 * expression, a JS Date, epoch milliseconds) into epoch milliseconds, or fails naming the parameter.
 */
export function toMillis(
	node: INode,
	parameter: string,
	value: unknown,
	itemIndex: number,
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
	throw new NodeOperationError(
		node,
		`The "${parameter}" parameter is not a date: ${JSON.stringify(value)}`,
		{
			itemIndex,
			description:
				'Use an ISO date such as 2026-03-02T09:00:00Z, or an expression like {{ $now }}.',
		},
	);
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
