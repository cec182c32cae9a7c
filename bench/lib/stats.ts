/** Timing helpers. Figures are reported, never asserted: the runner only prints them. */

export function nowMs(): number {
	return performance.now();
}

/** Runs `work` and returns what it returned and how long it took, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const start = performance.now();
	const value = await work();
	return { value, ms: performance.now() - start };
}

/** Nearest-rank percentile (p in 0..100) of a list of samples. */
export function percentile(samples: readonly number[], p: number): number {
	if (samples.length === 0) return Number.NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Items per second. */
export function rate(count: number, ms: number): number {
	return ms > 0 ? (count * 1000) / ms : Number.NaN;
}

/** Throughput of a loop of timed batches, with each batch's latency kept for percentiles. */
export class BatchTimer {
	readonly latencies: number[] = [];
	count = 0;
	totalMs = 0;

	async run<T>(work: () => Promise<T>, sizeOf: (value: T) => number): Promise<T> {
		const { value, ms } = await timed(work);
		this.latencies.push(ms);
		this.totalMs += ms;
		this.count += sizeOf(value);
		return value;
	}

	get perSecond(): number {
		return rate(this.count, this.totalMs);
	}

	p(percent: number): number {
		return percentile(this.latencies, percent);
	}
}
