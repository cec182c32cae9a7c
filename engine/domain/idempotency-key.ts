/**
 * The idempotency key of a send: enrollment, step and cycle. Every emission and retry of the same
 * send carries the same key, so a channel that dedupes by it sends at most once. The format is
 * written here only; the store, its input checks and the nodes all use these.
 */

/** `42-0-1`: enrollment id, 0-based step index, cycle. */
export const IDEMPOTENCY_KEY_PATTERN = /^(\d{1,15})-(\d{1,3})-(\d{1,9})$/;

export function idempotencyKey(enrollmentId: number, stepIndex: number, cycle: number): string {
	return `${enrollmentId}-${stepIndex}-${cycle}`;
}

/** The parts of a key, or null when `key` is not one. */
export function parseIdempotencyKey(
	key: string,
): { enrollmentId: number; stepIndex: number; cycle: number } | null {
	const match = IDEMPOTENCY_KEY_PATTERN.exec(key.trim());
	if (!match) return null;
	return { enrollmentId: Number(match[1]), stepIndex: Number(match[2]), cycle: Number(match[3]) };
}
