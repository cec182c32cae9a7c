import type { INode, NodeOperationError } from 'n8n-workflow';
import { parameterError } from './parameters';

/**
 * Reading what identifies a contact, a conversation or a target out of a parameter. An
 * expression may resolve to anything; turned into text with String(), a missing value becomes
 * "undefined", an object "[object Object]" and a list "1,2" — two contacts then collapse into
 * one, and a reply in the real conversation no longer matches. So an identity must be text or a
 * number, and anything else fails the item naming the parameter.
 */

export interface ValueSource {
	node: INode;
	itemIndex: number;
	/** The parameter's label as the editor shows it, e.g. "Contact ID". */
	label: string;
	/** How to fix it, e.g. "Map it to the contact's phone number, e.g. {{ $json.phone }}." */
	fix?: string;
}

const DEFAULT_FIX =
	'Map it to a field of the incoming item that holds text or a number, e.g. {{ $json.phone }}.';

function shown(value: unknown): string {
	if (value === undefined) return 'nothing (the expression resolved to undefined)';
	if (value === null) return 'nothing (null)';
	if (Array.isArray(value)) return `a list (${preview(value)})`;
	if (typeof value === 'object') return `an object (${preview(value)})`;
	return JSON.stringify(value) ?? String(value);
}

function preview(value: unknown): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? '';
	} catch {
		text = '…';
	}
	return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function refuse(source: ValueSource, problem: string): NodeOperationError {
	return parameterError(
		source.node,
		source.itemIndex,
		source.label,
		problem,
		source.fix ?? DEFAULT_FIX,
	);
}

/** Text or a finite number, as text; undefined for nothing at all (undefined, null, blank). */
function identityText(value: unknown, source: ValueSource): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw refuse(source, `must be text or a number, not ${shown(value)}`);
}

/**
 * A required identity (Contact ID): text or a number, else the item fails. A blank text comes
 * back as '' for the store's own check, which says the field is empty and how to map it.
 */
export function requiredIdentity(value: unknown, source: ValueSource): string {
	if (value === undefined || value === null) {
		throw refuse(source, `is empty: it resolved to ${shown(value)}`);
	}
	return identityText(value, source) ?? '';
}

/** An optional identity (Conversation ID): nothing stays empty; objects and lists still fail. */
export function optionalIdentity(value: unknown, source: ValueSource): string {
	return identityText(value, source) ?? '';
}

/**
 * Optional free text (Contact Name, Message Text): nothing stays empty, text and numbers are
 * kept, an object or a list fails instead of being stored as "[object Object]".
 */
export function optionalText(value: unknown, source: ValueSource): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw refuse(source, `must be text, not ${shown(value)}`);
}
