import type { z } from 'zod/v4';
import { CadenceValidationError, type FieldProblem } from './errors';

/** Parse with a schema or throw one error that lists every bad field and how to fix it. */
export function parseOrThrow<S extends z.ZodType>(
	schema: S,
	input: unknown,
	subject: string,
): z.output<S> {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	throw new CadenceValidationError(subject, toProblems(result.error));
}

export function toProblems(error: z.ZodError): FieldProblem[] {
	return error.issues.map((issue) => ({
		field: issue.path.map(String).join('.'),
		message: issue.message,
	}));
}
