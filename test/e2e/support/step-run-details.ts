import type { StoreConfig } from '../../../engine/store/open';
import type { SqlDriver } from '../../../engine/store/sql/driver';
import { rawDriver } from '../../support/raw-sql';
import { waitFor } from './environment';
import type { ExecutionSummary } from './executions';
import type { N8nInstance } from './n8n-instance';

/** What a step run recorded about its message: text, how it was composed, the approval. */
export interface StepRunDetails {
	id: number;
	contact_key: string;
	status: string;
	compose_mode: string;
	text: string | null;
	model: string | null;
	prompt_tokens: number | null;
	completion_tokens: number | null;
	degraded: number;
	approval: string | null;
	decided_by: string | null;
	detail: string | null;
}

/**
 * The message columns of the store's step runs (StoreProbe reads the scheduling ones): for the
 * AI and approval tests. Opened lazily: the store exists once a cadence node has used it.
 */
export class StepRunReader {
	private driver: SqlDriver | null = null;

	constructor(private readonly config: StoreConfig) {}

	static sqlite(path: string): StepRunReader {
		return new StepRunReader({ kind: 'sqlite', path });
	}

	async list(cadence: string): Promise<StepRunDetails[]> {
		this.driver ??= rawDriver(this.config);
		const rows = await this.driver.all<StepRunDetails>(
			`SELECT r.id, e.contact_key, r.status, r.compose_mode, r.text, r.model, r.prompt_tokens,
				r.completion_tokens, r.degraded, r.approval, r.decided_by, r.detail
			FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			JOIN cadences c ON c.id = r.cadence_id
			WHERE c.name = ? ORDER BY e.contact_key, r.cycle, r.step_index, r.id`,
			[cadence],
		);
		return rows.map((r) => ({
			...r,
			id: Number(r.id),
			degraded: Number(r.degraded),
			prompt_tokens: r.prompt_tokens === null ? null : Number(r.prompt_tokens),
			completion_tokens: r.completion_tokens === null ? null : Number(r.completion_tokens),
		}));
	}

	async forContact(cadence: string, contactKey: string): Promise<StepRunDetails> {
		const run = (await this.list(cadence)).find((r) => r.contact_key === contactKey);
		if (!run) throw new Error(`No step run for ${contactKey} in "${cadence}"`);
		return run;
	}

	async close(): Promise<void> {
		await this.driver?.close();
		this.driver = null;
	}
}

/** One execution with its run data, through the public API. */
export async function execution(n8n: N8nInstance, id: string | number) {
	return n8n.api<ExecutionSummary>('GET', `/executions/${id}?includeData=true`);
}

/**
 * Waits until the workflow has `count` executions in `status` (waiting, success, error…);
 * returns them with their run data, oldest first.
 */
export async function waitForStatus(
	n8n: N8nInstance,
	workflowId: string,
	status: string,
	count: number,
	timeoutMs = 60_000,
): Promise<ExecutionSummary[]> {
	return waitFor(
		`${count} execution(s) of workflow ${workflowId} in status ${status}`,
		async () => {
			const list = await n8n.executions(workflowId, { includeData: true, status });
			return list.length >= count ? list.reverse() : undefined;
		},
		{ timeoutMs, intervalMs: 1000 },
	);
}
