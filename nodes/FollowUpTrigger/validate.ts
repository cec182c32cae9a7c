import type { INode } from 'n8n-workflow';
import { cadenceDefinitionSchema, type CadenceDefinition } from '../../engine';
import { CadenceValidationError, type FieldProblem } from '../../engine';
import { toProblems } from '../../engine';
import { toNodeError } from '../shared/errors';
import type { ParsedParameters } from './definition';
import { parameterLabel } from './labels';

/**
 * Validates the cadence with the engine's own schema (the one rule set, also used when it is
 * published) and fails naming each parameter the way the editor labels it.
 */
export function validateDefinition(node: INode, parsed: ParsedParameters): CadenceDefinition {
	const result = cadenceDefinitionSchema.safeParse(parsed.input);
	if (result.success) return result.data;
	const problems = new Map<string, FieldProblem>();
	for (const problem of toProblems(result.error)) {
		const field = parameterLabel(problem.field, parsed.provenance);
		// A bad "Weekdays" row fails on five days; the user wants to hear about the row once.
		problems.set(`${field}|${problem.message}`, { field, message: problem.message });
	}
	const error = toNodeError(
		node,
		new CadenceValidationError('Follow-up Trigger parameters', [...problems.values()]),
	);
	error.description =
		'Fix the parameters named above, then save and activate the workflow again. Nothing was published.';
	throw error;
}
