/** What each subject (store on SQLite, store on Postgres, pg-boss) measured. */
export interface ClaimFigures {
	claimed: number;
	perSecond: number;
	/** Milliseconds per claim batch. */
	p50: number;
	p99: number;
}

export interface SubjectFigures {
	/** Enrollments (jobs) per second while loading the large store, 1,000 per call. */
	enrollPerSecond: number;
	/** Draining a store where every step is due at once. */
	dueAtOnce: ClaimFigures;
	/** Claiming the 1 % due in the large store. */
	large: ClaimFigures;
	/** Claim, record the send, schedule the next step: steps per second, large store, 1 % due. */
	cyclePerSecond: number;
	cycled: number;
	/** Milliseconds of one claim on the large store while nothing is due. */
	idleP50: number;
	idleP99: number;
	/** Bytes on disk per enrollment of the freshly loaded large store. */
	bytesPerEnrollment: number;
	/** Where those bytes are: table or index, largest first. */
	sizes: Array<{ name: string; bytes: number }>;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianClaims(runs: ClaimFigures[]): ClaimFigures {
	return {
		claimed: median(runs.map((r) => r.claimed)),
		perSecond: median(runs.map((r) => r.perSecond)),
		p50: median(runs.map((r) => r.p50)),
		p99: median(runs.map((r) => r.p99)),
	};
}

/** Each figure's median over repeated runs (sizes are the same every run; the first is kept). */
export function medianFigures(runs: SubjectFigures[]): SubjectFigures {
	const of = (read: (f: SubjectFigures) => number) => median(runs.map(read));
	return {
		enrollPerSecond: of((f) => f.enrollPerSecond),
		dueAtOnce: medianClaims(runs.map((f) => f.dueAtOnce)),
		large: medianClaims(runs.map((f) => f.large)),
		cyclePerSecond: of((f) => f.cyclePerSecond),
		cycled: of((f) => f.cycled),
		idleP50: of((f) => f.idleP50),
		idleP99: of((f) => f.idleP99),
		bytesPerEnrollment: of((f) => f.bytesPerEnrollment),
		sizes: runs[0].sizes,
	};
}
