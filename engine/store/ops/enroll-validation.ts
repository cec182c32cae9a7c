import type { z } from 'zod/v4';
import { CadenceValidationError, type FieldProblem } from '../../errors';
import { toProblems } from '../../validation';
import { enrollInputSchema, type EnrollInput } from '../inputs';

export type ParsedEnroll = z.output<typeof enrollInputSchema>;

/** How a message names input `index` ("item 3"). */
export type ItemNumber = (index: number) => number;

/** `[start, end)` of one part of a batch. */
export type PartRange = readonly [start: number, end: number];

/**
 * A batch of enrollments in parts, each checked in full against the one enrollment schema when
 * first asked for: enroll checks the first part before it asks anything of the database and
 * each later part while the database writes the one before (see enrollParts in enroll.ts).
 * Checking costs as much as writing does, so it is no longer paid before the first write.
 *
 * A bad item fails the call exactly as checking everything first did: the error names every
 * problem of every item, in item order and within an item in the schema's field order (the
 * parts before it had none, and the rest of the batch is checked before throwing), and the
 * throw rolls back the enrollment's transaction, so nothing is written.
 */
export class EnrollParts {
	private readonly checked: Array<ParsedEnroll[] | undefined>;

	private constructor(
		readonly ranges: readonly PartRange[],
		private readonly check: (range: PartRange) => ParsedEnroll[],
	) {
		this.checked = new Array(ranges.length);
	}

	/** Inputs as a caller gave them; throws when there are none. */
	static ofInputs(
		inputs: EnrollInput[],
		itemNumber: ItemNumber,
		partRanges: (count: number) => PartRange[],
	): EnrollParts {
		if (!Array.isArray(inputs) || inputs.length === 0) {
			throw new CadenceValidationError('enrollment', [
				{ field: '', message: 'give at least one contact to enroll' },
			]);
		}
		return new EnrollParts(partRanges(inputs.length), ([start, end]) =>
			validateRange(inputs, start, end, itemNumber),
		);
	}

	/** Inputs the caller has checked already. */
	static ofParsed(parsed: ParsedEnroll[], partRanges: (count: number) => PartRange[]): EnrollParts {
		return new EnrollParts(partRanges(parsed.length), ([start, end]) => parsed.slice(start, end));
	}

	/** How many items the batch holds. */
	get count(): number {
		return this.ranges.length === 0 ? 0 : this.ranges[this.ranges.length - 1][1];
	}

	/** Checks every part not checked yet: throws if any item of the batch is bad. */
	checkAll(): void {
		for (let k = 0; k < this.ranges.length; k++) this.part(k);
	}

	/** Part `k`'s inputs, checked (once, however often a retried transaction asks). */
	part(k: number): ParsedEnroll[] {
		return (this.checked[k] ??= this.check(this.ranges[k]));
	}
}

/** Items `[start, end)`; when one is bad, every later item is checked too before throwing. */
function validateRange(
	inputs: EnrollInput[],
	start: number,
	end: number,
	itemNumber: ItemNumber,
): ParsedEnroll[] {
	const parsed: ParsedEnroll[] = new Array(end - start);
	const problems: FieldProblem[] = [];
	const checkUpTo = (last: number, from: number) => {
		for (let index = from; index < last; index++) {
			const result = enrollInputSchema.safeParse(inputs[index]);
			if (result.success) {
				if (index < end) parsed[index - start] = result.data;
				continue;
			}
			const prefix = inputs.length > 1 ? `item ${itemNumber(index)}: ` : '';
			for (const problem of toProblems(result.error))
				problems.push({ ...problem, field: prefix + problem.field });
		}
	};
	checkUpTo(end, start);
	if (problems.length === 0) return parsed;
	checkUpTo(inputs.length, end);
	throw new CadenceValidationError('enrollment', problems);
}
