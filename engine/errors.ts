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

/** The database could not be reached or failed; the operation was rolled back. */
export class CadenceStoreError extends Error {
	readonly cause: unknown;

	constructor(message: string, cause?: unknown) {
		super(message);
		this.name = 'CadenceStoreError';
		this.cause = cause;
	}
}
