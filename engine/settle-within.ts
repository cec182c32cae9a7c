/**
 * Waits for `promise` at most `ms`, or until `signal` aborts: `{ settled: false }` then, and the
 * promise goes on unobserved. A rejection counts as settled, with its reason.
 */
export type Within<T> =
	| { settled: true; value: T }
	| { settled: true; error: unknown }
	| { settled: false };

export function settleWithin<T>(
	promise: Promise<T>,
	ms: number,
	signal?: AbortSignal,
): Promise<Within<T>> {
	return new Promise<Within<T>>((resolve) => {
		const finish = (outcome: Within<T>) => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', giveUp);
			resolve(outcome);
		};
		const giveUp = () => finish({ settled: false });
		const timer = setTimeout(giveUp, ms);
		if (signal?.aborted) return giveUp();
		signal?.addEventListener('abort', giveUp);
		promise.then(
			(value) => finish({ settled: true, value }),
			(error: unknown) => finish({ settled: true, error }),
		);
	});
}
