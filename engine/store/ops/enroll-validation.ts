import type { z } from 'zod/v4';
import { CadenceValidationError, type FieldProblem } from '../../errors';
import { toProblems } from '../../validation';
import { enrollInputSchema, type EnrollInput } from '../inputs';

export type ParsedEnroll = z.output<typeof enrollInputSchema>;

/**
 * A batch is validated against the one enrollment schema in two halves. What the lookups need —
 * which cadence, which contact and conversation, where the contact can be reached — is checked
 * first, before anything is asked of the database; the rest (names, variables, times) while the
 * database reads, so most of a batch's validation costs no waiting. Every item is checked in full
 * either way, and the error names every problem of every item, as one parse would.
 */
const KEY_FIELDS = {
	cadence: true,
	contactKey: true,
	conversationKey: true,
	identities: true,
} as const;
const keySchema = enrollInputSchema.pick(KEY_FIELDS);
const detailSchema = enrollInputSchema.omit(KEY_FIELDS);

export type EnrollKeys = z.output<typeof keySchema>;

/** The batch's keys, and a call that validates the rest and hands back the inputs in full. */
export interface KeysFirst {
	keys: EnrollKeys[];
	complete(): ParsedEnroll[];
}

/** How a message names input `index` ("item 3"). */
export type ItemNumber = (index: number) => number;

/** Validates what the lookups need; throws, naming every problem of the batch, if any is bad. */
export function validateKeysFirst(inputs: EnrollInput[], itemNumber: ItemNumber): KeysFirst {
	if (!Array.isArray(inputs) || inputs.length === 0) {
		throw new CadenceValidationError('enrollment', [
			{ field: '', message: 'give at least one contact to enroll' },
		]);
	}
	const keys = parseEach(keySchema, inputs);
	if (keys.problems.length > 0)
		throw invalid(inputs, itemNumber, keys, parseEach(detailSchema, inputs));
	return {
		keys: keys.values,
		complete: () => {
			const details = parseEach(detailSchema, inputs);
			if (details.problems.length > 0) throw invalid(inputs, itemNumber, keys, details);
			return keys.values.map((key, index) => ({ ...key, ...details.values[index] }));
		},
	};
}

/** Inputs validated already (by the full schema): their keys are the inputs themselves. */
export function alreadyValidated(parsed: ParsedEnroll[]): KeysFirst {
	return { keys: parsed, complete: () => parsed };
}

interface Parsed<T> {
	values: T[];
	/** Each item's problems, by index; empty for a valid item. */
	byItem: FieldProblem[][];
	problems: FieldProblem[];
}

function parseEach<T>(schema: z.ZodType<T>, inputs: EnrollInput[]): Parsed<T> {
	const values: T[] = [];
	const byItem: FieldProblem[][] = [];
	const problems: FieldProblem[] = [];
	for (const input of inputs) {
		const result = schema.safeParse(input);
		if (result.success) {
			values.push(result.data);
			byItem.push([]);
		} else {
			const found = toProblems(result.error);
			byItem.push(found);
			problems.push(...found);
		}
	}
	return { values, byItem, problems };
}

/** Where each field's problems go in an item's list: the schema's own order of its fields. */
const FIELD_ORDER = new Map(Object.keys(enrollInputSchema.shape).map((name, i) => [name, i + 1]));

function orderOf(problem: FieldProblem): number {
	return FIELD_ORDER.get(problem.field.split('.')[0]) ?? 0;
}

/**
 * Every problem of every item, in item order and, within an item, in the schema's field order;
 * a problem with the item as a whole (not an object at all), which both halves find, named once.
 */
function invalid<K, D>(
	inputs: EnrollInput[],
	itemNumber: ItemNumber,
	keys: Parsed<K>,
	details: Parsed<D>,
): CadenceValidationError {
	const problems: FieldProblem[] = [];
	for (let index = 0; index < inputs.length; index++) {
		const prefix = inputs.length > 1 ? `item ${itemNumber(index)}: ` : '';
		const seen = new Set<string>();
		const item = [...keys.byItem[index], ...details.byItem[index]].sort(
			(a, b) => orderOf(a) - orderOf(b),
		);
		for (const problem of item) {
			const said = `${problem.field}\u0000${problem.message}`;
			if (seen.has(said)) continue;
			seen.add(said);
			problems.push({ ...problem, field: prefix + problem.field });
		}
	}
	return new CadenceValidationError('enrollment', problems);
}
