/**
 * Errors the engine raises. Each carries a message a non-developer can act on; the n8n layer maps
 * them to NodeOperationError (bad input) or NodeApiError (store trouble) without reading text.
 */

export interface FieldProblem {
	/** Dotted path of the offending field, e.g. `steps.2.wait.amount`. */
	field: string;
	message: string;
}

/** Bad input: names each field and how to fix it. Nothing was written. */
export class CadenceValidationError extends Error {
	readonly problems: FieldProblem[];

	constructor(subject: string, problems: FieldProblem[]) {
		const list = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
		super(`Invalid ${subject} — ${list.join('; ')}`);
		this.name = 'CadenceValidationError';
		this.problems = problems;
	}
}

/** A status or state change the domain forbids, e.g. moving a step run from `sent` back to `scheduled`. */
export class CadenceTransitionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CadenceTransitionError';
	}
}

export class CadenceNotFoundError extends Error {
	constructor(what: string, key: string | number) {
		super(`No ${what} found for ${JSON.stringify(key)}`);
		this.name = 'CadenceNotFoundError';
	}
}

/**
 * What went wrong with the database, as far as the store can tell. The n8n layer turns it into
 * advice ("free disk space", "check the credential") without reading the driver's text.
 */
export type StoreProblem =
	/** The database could not be reached, or refused the login. */
	| 'unreachable'
	/** Another process held the store's lock for longer than the store waits. */
	| 'busy'
	/** The disk (or the database's quota) is full. */
	| 'diskFull'
	/** The store can only be read: file permissions, a read-only disk or a read-only server. */
	| 'readOnly'
	/** The SQLite file was deleted, moved or replaced, or a store that existed is gone. */
	| 'storeLost'
	/** The connection broke while a COMMIT was on its way: the change may or may not be saved. */
	| 'outcomeUnknown'
	/** The database refused a statement for another reason. */
	| 'failed';

/**
 * The database could not be reached or failed. Unless `problem` is `outcomeUnknown`, the
 * operation was rolled back and nothing was written.
 */
export class CadenceStoreError extends Error {
	readonly cause: unknown;
	readonly problem: StoreProblem;

	constructor(message: string, cause?: unknown, problem: StoreProblem = 'failed') {
		super(message);
		this.name = 'CadenceStoreError';
		this.cause = cause;
		this.problem = problem;
	}

	/** Whether the failed operation may have been saved anyway (a COMMIT without an answer). */
	get mayHaveWritten(): boolean {
		return this.problem === 'outcomeUnknown';
	}
}
