import { createHash } from 'node:crypto';
import type { CadenceDefinition } from './definition';

/**
 * A digest of what the cadence does. The active/paused switch is left out on purpose: pausing a
 * cadence is not a new version, and enrollments keep the version they started on either way.
 */
export function contentHash(definition: CadenceDefinition): string {
	const { active: _active, ...content } = definition;
	return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
