/**
 * Runs `work` over `items` with at most `limit` calls in flight, results in input order. Model
 * providers rate-limit per account, so a batch of 200 due steps must not become 200 parallel
 * requests. If one call throws, no new ones start; the ones already running finish, then the first
 * error is thrown (nothing is left running in the background).
 */
export async function mapConcurrent<T, R>(
	items: readonly T[],
	limit: number,
	work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failure: { error: unknown } | null = null;
	const worker = async () => {
		while (failure === null && next < items.length) {
			const index = next++;
			try {
				results[index] = await work(items[index], index);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	const width = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
	await Promise.all(Array.from({ length: width }, worker));
	if (failure !== null) throw (failure as { error: unknown }).error;
	return results;
}
