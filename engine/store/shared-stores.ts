import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { openStore, type StoreConfig } from './open';
import type { CadenceStore } from './store';

/**
 * One store per location per process, shared by every node and execution: SQLite allows one
 * writer at a time, and opening a store runs its migrations. A store nobody uses any more is
 * closed after a short idle time, so back-to-back executions do not pay to reopen it.
 */

interface Shared {
	store: Promise<CadenceStore>;
	users: number;
	closeTimer?: NodeJS.Timeout;
}

const shared = new Map<string, Shared>();
const IDLE_CLOSE_MS = 30_000;

/** The SQLite file used when no credential is chosen: beside n8n's own data. */
export function defaultSqlitePath(): string {
	const userFolder = process.env.N8N_USER_FOLDER || homedir();
	return join(userFolder, '.n8n', 'cadence', 'cadence.sqlite');
}

function keyOf(config: StoreConfig): string {
	return config.kind === 'sqlite'
		? `sqlite:${config.path}`
		: `postgres:${config.connectionString ?? ''}|${config.user}@${config.host}:${config.port}/${config.database}#${config.schema}`;
}

export interface StoreLease {
	store: CadenceStore;
	release(): void;
}

/** Borrows the shared store for `config`; call `release()` when done with it. */
export async function leaseStore(config: StoreConfig): Promise<StoreLease> {
	const key = keyOf(config);
	let entry = shared.get(key);
	if (!entry) {
		if (config.kind === 'sqlite') mkdirSync(dirname(config.path), { recursive: true });
		const opening = openStore(config);
		const created: Shared = { store: opening, users: 0 };
		shared.set(key, created);
		// A store that failed to open must not stay cached: the next attempt tries again.
		opening.catch(() => {
			if (shared.get(key) === created) shared.delete(key);
		});
		entry = created;
	}
	const current = entry;
	clearTimeout(current.closeTimer);
	current.users++;
	let store: CadenceStore;
	try {
		store = await current.store;
	} catch (error) {
		current.users--;
		throw error;
	}
	let released = false;
	return {
		store,
		release: () => {
			if (released) return;
			released = true;
			current.users--;
			if (current.users > 0) return;
			current.closeTimer = setTimeout(() => {
				if (current.users > 0 || shared.get(key) !== current) return;
				shared.delete(key);
				void store.close();
			}, IDLE_CLOSE_MS);
			current.closeTimer.unref();
		},
	};
}

/** Closes every shared store now (tests, and a process shutting down). */
export async function closeSharedStores(): Promise<void> {
	const entries = [...shared.values()];
	shared.clear();
	for (const entry of entries) {
		clearTimeout(entry.closeTimer);
		const store = await entry.store.catch(() => null);
		await store?.close();
	}
}
