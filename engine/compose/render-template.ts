import { CadenceValidationError } from '../errors';

/**
 * Message templates: `{{firstName}}` is replaced by the contact's variable, `{{ firstName | there }}`
 * falls back to "there" when the contact has no first name. Anything else between braces (an n8n
 * expression, `{{ $json.x }}`) is not a variable name and is left exactly as written.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|([^{}]*))?\}\}/g;

export interface Rendered {
	text: string;
	/** Variables the template uses that have no value and no default. */
	missing: string[];
}

/**
 * Fills every placeholder it can. A missing variable without a default stays as written and is
 * reported in `missing`; callers decide whether that is fatal (a message) or not (an instruction).
 */
export function renderTemplate(template: string, variables: Record<string, unknown>): Rendered {
	const missing = new Set<string>();
	const text = template.replace(PLACEHOLDER, (whole, name: string, fallback?: string) => {
		const value = lookup(variables, name);
		if (value !== undefined) return value;
		if (fallback !== undefined) return fallback.trim();
		missing.add(name);
		return whole;
	});
	return { text, missing: [...missing] };
}

/**
 * A message about to be sent: every variable must resolve, or the whole render fails with an
 * error that names each variable and both ways to fix it.
 */
export function renderMessage(template: string, variables: Record<string, unknown>): string {
	const { text, missing } = renderTemplate(template, variables);
	if (missing.length === 0) return text;
	throw new CadenceValidationError(
		'message text',
		missing.map((name) => ({
			field: `variables.${name}`,
			message: `the message uses {{${name}}} but this contact has no value for it; give the contact a "${name}" variable when enrolling (Enroll In Cadence → Variables), or add a default like {{${name}|there}}`,
		})),
	);
}

/** Placeholders left in a text, e.g. a model that wrote "Hi {{firstName}}" without a value. */
export function placeholdersIn(text: string): string[] {
	return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** A variable's value as text; undefined when it has none (absent, null or blank). */
function lookup(variables: Record<string, unknown>, name: string): string | undefined {
	// A key may itself contain dots ("utm.source"), so the exact key wins over a nested path.
	const value =
		name in variables
			? variables[name]
			: name
					.split('.')
					.reduce<unknown>(
						(v, part) =>
							v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined,
						variables,
					);
	return asText(value);
}

export function asText(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
	return text.trim() === '' ? undefined : text;
}
