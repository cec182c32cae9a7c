import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import {
	CadenceNotFoundError,
	CadenceStoreError,
	CadenceTransitionError,
	CadenceValidationError,
} from '../../engine';
import type { StoreConfig } from '../../engine';
import { leaseStore, type StoreLease } from '../../engine';
import type { CadenceStore } from '../../engine';
import { EventReader } from './event-items';
import { feedEventsOf, type TriggerSettings } from './settings';

/** What publishing returns that the trigger needs: the cadence it ticks for. */
export interface Published {
	/** The store's id of the cadence; the trigger claims by it (a name may be shared). */
	id?: number;
	name: string;
	version: number;
	created: boolean;
}

export interface Session {
	store: CadenceStore;
	/** The cadence's id (its name may be shared with another workflow's cadence), else its name. */
	cadence: string | number;
	events: EventReader;
}

/**
 * The trigger's way to its store: opened and the cadence published at activation when the store
 * is there, else at the first check that reaches it. n8n 2.41 marks a trigger whose activation
 * throws as failed and never tries it again (not even after a restart), so a store that is down
 * when n8n starts (Postgres not up yet, a typo in the host, a read-only file) must not fail the
 * activation: each check tries again, the trigger reports the failure, and the cadence resumes by
 * itself once the store answers. A definition the store refuses still fails activation.
 */
export class StoreConnection {
	private lease: StoreLease | null = null;
	private session: Session | null = null;
	private opening: Promise<Session> | null = null;
	private closed = false;

	constructor(
		private readonly config: StoreConfig,
		private readonly settings: TriggerSettings,
		private readonly publish: (store: CadenceStore) => Promise<Published>,
		private readonly log: (message: string) => void,
	) {}

	/** The open store and published cadence; opens and publishes when not done yet. */
	ready(): Promise<Session> {
		if (this.session) return Promise.resolve(this.session);
		if (this.closed) return Promise.reject(new Error('The Follow-up Trigger was deactivated'));
		this.opening ??= this.open().finally(() => {
			this.opening = null;
		});
		return this.opening;
	}

	private async open(): Promise<Session> {
		let lease: StoreLease;
		try {
			lease = await leaseStore(this.config);
		} catch (error) {
			throw asStoreError(error);
		}
		// A store opened for a publication that failed goes back to the pool.
		return this.publishOn(lease).catch((error: unknown) => {
			lease.release();
			return Promise.reject(error);
		});
	}

	private async publishOn(lease: StoreLease): Promise<Session> {
		const published = await this.publish(lease.store);
		this.log(
			published.created
				? `Follow-up Trigger published "${published.name}" version ${published.version}`
				: `Follow-up Trigger: "${published.name}" is unchanged at version ${published.version}`,
		);
		const cursor = feedEventsOf(this.settings).length > 0 ? await lease.store.lastEventId() : 0;
		const events = new EventReader(
			lease.store,
			published.id ?? published.name,
			this.settings,
			cursor,
		);
		if (this.closed) throw new Error('The Follow-up Trigger was deactivated');
		this.lease = lease;
		this.session = { store: lease.store, cadence: published.id ?? published.name, events };
		return this.session;
	}

	async close(): Promise<void> {
		this.closed = true;
		await this.opening?.catch(() => undefined);
		this.lease?.release();
		this.lease = null;
		this.session = null;
	}
}

/**
 * Whether an error at activation is about the cadence itself (fix the parameters, activation
 * fails) rather than about reaching the store (activation goes on; the checks retry).
 */
export function isDefinitionError(error: unknown): boolean {
	if (error instanceof NodeApiError) return false;
	return (
		error instanceof CadenceValidationError ||
		error instanceof CadenceTransitionError ||
		error instanceof CadenceNotFoundError ||
		error instanceof NodeOperationError
	);
}

/**
 * A system error on the way to the store (a folder that cannot be created, a host that does not
 * resolve, a refused connection) as the store error it is, so the report says what failed.
 */
function asStoreError(error: unknown): unknown {
	if (isDefinitionError(error) || error instanceof CadenceStoreError) return error;
	if (error instanceof NodeApiError) return error;
	// Not `instanceof Error`: errors from Node's own modules may come from another realm.
	const message = (error as { message?: unknown } | null)?.message;
	if (typeof message !== 'string') return error;
	return new CadenceStoreError(`The cadence store could not be opened: ${message}`, error);
}
