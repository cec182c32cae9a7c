import { z } from 'zod/v4';
import { CadenceValidationError } from '../errors';

/**
 * Text the store keeps. Two kinds of character would be kept differently by the two databases:
 * NUL (SQLite cuts the text there, so "k\0a" and "k\0b" both read back as "k"; Postgres refuses
 * it) and half of a UTF-16 pair (each driver replaces it in its own way). Identities — keys and
 * names that things are matched by — refuse them, naming the field, because a cleaned key could
 * collide with another. Free text (a message, a name, a note) is cleaned instead: a reply cut
 * in the middle of an emoji by some channel must still be recorded and still stop the cadence.
 */

/** Half of a UTF-16 pair with no other half beside it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/** Why `text` cannot be stored as it is, or null when it can. */
export function unstorable(text: string): string | null {
	if (text.includes('\0'))
		return 'contains a NUL character (\\0), which cannot be stored; remove it';
	if (HAS_LONE_SURROGATE.test(text)) {
		return 'contains a broken character (half of an emoji or other two-part character); send the text whole';
	}
	return null;
}

/** NUL removed, broken characters replaced by �: what free text is stored as on every database. */
export function cleanText(text: string): string {
	return text.replaceAll('\0', '').replace(LONE_SURROGATE, '\uFFFD');
}

const many = (n: number) => n.toLocaleString('en-US');

/** An identity such as a contact key: given as text, stored exactly, never empty. */
export function keyText(what: string, max = 512) {
	return z
		.string({ message: `give the ${what} as text` })
		.superRefine(refuseUnstorable)
		.trim()
		.min(1, `the ${what} is empty; map it to an id, phone number or email that identifies it`)
		.max(max, `the ${what} is longer than ${many(max)} characters`);
}

/** An identity that may be left empty (a conversation key: any conversation). */
export function optionalKeyText(what: string, max = 512) {
	return z
		.string({ message: `give the ${what} as text` })
		.superRefine(refuseUnstorable)
		.trim()
		.max(max, `the ${what} is longer than ${many(max)} characters`);
}

/** Free text: cleaned of what cannot be stored, then held to a length the message names. */
export function freeText(what: string, max: number) {
	return z
		.string({ message: `give the ${what} as text` })
		.overwrite(cleanText)
		.max(max, `the ${what} is longer than ${many(max)} characters; shorten it`);
}

function refuseUnstorable(value: string, ctx: z.RefinementCtx): void {
	const problem = unstorable(value);
	if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/**
 * Variables travel in every due item of the contact and into every AI prompt, so their stored
 * size is held to what a contact's details need; bulky data belongs elsewhere, by reference.
 */
export const MAX_VARIABLES_CHARS = 32_000;

/**
 * Any names, any values: the object is checked as a whole, by whether it can be stored. (A
 * record schema checks every name and value on its own, finds nothing more, and cost half of an
 * enrollment's validation.) The object is read, never changed.
 */
export const variablesSchema = z
	.custom<Record<string, unknown>>(isPlainObject, {
		message: 'give the variables as an object of names and values, e.g. { "firstName": "Ana" }',
	})
	.superRefine((variables, ctx) => {
		let stored: string | undefined;
		try {
			stored = JSON.stringify(variables);
		} catch {
			ctx.addIssue({
				code: 'custom',
				message:
					'the variables cannot be stored as JSON (a value refers to itself); pass plain values',
			});
			return;
		}
		if ((stored ?? '').length <= MAX_VARIABLES_CHARS) return;
		const biggest = Object.entries(variables)
			.map(([name, value]) => ({ name, size: JSON.stringify(value ?? null)?.length ?? 0 }))
			.sort((a, b) => b.size - a.size)[0];
		ctx.addIssue({
			code: 'custom',
			message:
				`the variables take ${many(stored!.length)} characters when stored; keep them under ` +
				`${many(MAX_VARIABLES_CHARS)} (the largest is "${biggest?.name}", ${many(biggest?.size ?? 0)}). ` +
				'Pass an ID the flow can look the data up by instead of the data itself',
		});
	});

/** An object of names and values, as JSON gives: not a list, a date, a class instance or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const prototype = Object.getPrototypeOf(value) as unknown;
	return prototype === Object.prototype || prototype === null;
}

/**
 * The drivers' last line: a text that reached a statement without passing a schema above (a
 * cadence name, say) is refused the same way on both databases, before either sees it.
 */
export function refuseUnstorableParams(params: readonly unknown[]): void {
	for (const param of params) {
		if (typeof param !== 'string') continue;
		const problem = unstorable(param);
		if (problem) {
			throw new CadenceValidationError('text', [
				{ field: '', message: `a text given to the store ${problem}` },
			]);
		}
	}
}
