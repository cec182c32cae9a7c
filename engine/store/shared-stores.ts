import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CadenceStoreError } from '../errors';
import { openStore, type StoreConfig } from './open';
import type { CadenceStore } from './store';
import { checkStoreIdentity, evidenceFile, refuseLostStore } from './store-evidence';

/**
 * One store per location and login per process, shared by every node and execution: SQLite
 * allows one writer at a time, and opening a store runs its migrations. A store nobody uses any
 * more is closed after a short idle time, so back-to-back executions do not pay to reopen it.
 */

interface Shared {
	store: Promise<CadenceStore>;
	users: number;
	closeTimer?: NodeJS.Timeout;
}

const shared = new Map<string, Shared>();
const IDLE_CLOSE_MS = 30_000;

function userFolder(): string {
	return process.env.N8N_USER_FOLDER || homedir();
}

/** The SQLite file used when no credential is chosen: beside n8n's own data. */
export function defaultSqlitePath(): string {
	return join(userFolder(), '.n8n', 'cadence', 'cadence.sqlite');
}

/**
 * Everything that decides what a connection may do is part of the key — the password (hashed,
 * never kept in clear), SSL, the whole connection string — so a credential with a wrong
 * password never borrows the pool another credential opened with the right one.
 */
function keyOf(config: StoreConfig): string {
	if (config.kind === 'sqlite') return `sqlite:${config.path}`;
	const fields = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
	return `postgres:${createHash('sha256').update(JSON.stringify(fields)).digest('hex')}`;
}

/**
 * Opens a store of its own (not a shared one): the credential test's way to prove the login
 * works. For SQLite, the file must still be the store this n8n used there, if it used one.
 */
export async function openVerified(config: StoreConfig): Promise<CadenceStore> {
	if (config.kind !== 'sqlite') return openStore(config);
	const evidence = evidenceFile(userFolder());
	refuseLostStore(config.path, evidence);
	mkdirSync(dirname(config.path), { recursive: true });
	const store = await openStore(config);
	try {
		checkStoreIdentity(config.path, await store.storeId(), evidence, new Date());
	} catch (error) {
		await store.close().catch(() => undefined);
		throw error;
	}
	return store;
}

export interface StoreLease {
	store: CadenceStore;
	release(): void;
}

/** Borrows the shared store for `config`; call `release()` when done with it. */
export async function leaseStore(config: StoreConfig): Promise<StoreLease> {
	const key = keyOf(config);
	await dropIfFileLost(key);
	let entry = shared.get(key);
	if (!entry) {
		const opening = openVerified(config);
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
			// A store dropped from the pool (its file was lost) closes with its last user.
			const delay = shared.get(key) === current ? IDLE_CLOSE_MS : 0;
			current.closeTimer = setTimeout(() => {
				if (current.users > 0) return;
				if (shared.get(key) === current) shared.delete(key);
				else if (delay > 0) return;
				// Nobody is left to hear a failure to close.
				store.close().catch(() => undefined);
			}, delay);
			current.closeTimer.unref();
		},
	};
}

/**
 * A shared SQLite store whose file was deleted or replaced is taken out of the pool, so the
 * next lease opens the path afresh — and is refused there, unless the store was put back.
 * Those still holding the old one keep getting its error.
 */
async function dropIfFileLost(key: string): Promise<void> {
	const entry = shared.get(key);
	if (!entry) return;
	const store = await entry.store.catch(() => null);
	if (!store || shared.get(key) !== entry) return;
	try {
		store.checkFile();
	} catch (error) {
		if (!(error instanceof CadenceStoreError) || error.problem !== 'storeLost') throw error;
		shared.delete(key);
		if (entry.users === 0) {
			clearTimeout(entry.closeTimer);
			await store.close().catch(() => undefined);
		}
	}
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
