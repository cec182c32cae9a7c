import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CadenceStoreError } from '../../engine/errors';
import { openStore } from '../../engine/store/open';
import {
	closeSharedStores,
	defaultSqlitePath,
	leaseStore,
	openVerified,
} from '../../engine/store/shared-stores';
import type { CadenceStore } from '../../engine/store/store';
import { prospecting } from '../support/cadences';

/**
 * Issue 15.7: the SQLite store file deleted or replaced while n8n runs. The open connection
 * notices (device and inode checked before every write) and fails loudly; a store that existed
 * is never silently re-created empty, in this process or after a restart.
 */

jest.setTimeout(60_000);

let folder: string;
let savedUserFolder: string | undefined;

beforeEach(() => {
	folder = mkdtempSync(join(tmpdir(), 'cadence-identity-'));
	savedUserFolder = process.env.N8N_USER_FOLDER;
	process.env.N8N_USER_FOLDER = folder;
	mkdirSync(join(folder, '.n8n'), { recursive: true });
});

afterEach(async () => {
	await closeSharedStores();
	if (savedUserFolder === undefined) delete process.env.N8N_USER_FOLDER;
	else process.env.N8N_USER_FOLDER = savedUserFolder;
	rmSync(folder, { recursive: true, force: true });
});

const enrollOne = (store: CadenceStore, contactKey: string) =>
	store.enroll([{ cadence: 'Prospecting', contactKey }]);

/** Removes the store file and its write-ahead log, as `rm cadence.sqlite*` would. */
function deleteStoreFile(path: string): void {
	for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

async function leaseAndSeed(path: string): Promise<void> {
	const lease = await leaseStore({ kind: 'sqlite', path });
	await lease.store.publishCadence(prospecting);
	await enrollOne(lease.store, 'first');
	lease.release();
}

describe('an open SQLite store whose file goes away', () => {
	it('refuses to write once the file is deleted, and keeps refusing', async () => {
		const path = join(folder, 'store.sqlite');
		const store = await openStore({ kind: 'sqlite', path });
		try {
			await store.publishCadence(prospecting);
			await enrollOne(store, 'before');
			deleteStoreFile(path);
			const attempt = enrollOne(store, 'after');
			await expect(attempt).rejects.toThrow(CadenceStoreError);
			await expect(attempt).rejects.toMatchObject({ problem: 'storeLost' });
			await expect(attempt).rejects.toThrow(/was deleted or moved while n8n was running/);
			await expect(store.claimDue({ cadence: 'Prospecting' })).rejects.toThrow(/deleted or moved/);
			await expect(store.listEnrollments()).rejects.toThrow(/deleted or moved/);
			expect(existsSync(path)).toBe(false);
		} finally {
			await store.close();
		}
	});

	it('refuses to write once another file is put in its place', async () => {
		const path = join(folder, 'store.sqlite');
		const other = join(folder, 'other.sqlite');
		const store = await openStore({ kind: 'sqlite', path });
		const replacement = await openStore({ kind: 'sqlite', path: other });
		await replacement.close();
		try {
			await store.publishCadence(prospecting);
			renameSync(other, path);
			await expect(enrollOne(store, 'after')).rejects.toThrow(/was replaced by another file/);
		} finally {
			await store.close();
		}
	});
});

describe('a store this n8n used is never re-created empty', () => {
	it('a new lease after the file was deleted is refused, and creates no file', async () => {
		const path = defaultSqlitePath();
		await leaseAndSeed(path);
		deleteStoreFile(path);
		const attempt = leaseStore({ kind: 'sqlite', path });
		await expect(attempt).rejects.toMatchObject({ problem: 'storeLost' });
		await expect(attempt).rejects.toThrow(
			/is missing, but this n8n kept its cadences and enrollments there/,
		);
		expect(existsSync(path)).toBe(false);
		// After a restart (nothing cached in the process) it is still refused.
		await closeSharedStores();
		await expect(leaseStore({ kind: 'sqlite', path })).rejects.toThrow(/is missing/);
		// The credential's Test button says the same instead of creating it.
		await expect(openVerified({ kind: 'sqlite', path })).rejects.toThrow(/is missing/);
		expect(existsSync(path)).toBe(false);
	});

	it('the deleted folder of the store is noticed too', async () => {
		const path = defaultSqlitePath();
		await leaseAndSeed(path);
		await closeSharedStores();
		rmSync(join(folder, '.n8n', 'cadence'), { recursive: true });
		await expect(leaseStore({ kind: 'sqlite', path })).rejects.toThrow(/is missing/);
	});

	it('a fresh store someone else created at the path is refused as a replacement', async () => {
		const path = defaultSqlitePath();
		await leaseAndSeed(path);
		await closeSharedStores();
		deleteStoreFile(path);
		// Another process without this n8n's memory creates a new, empty store there.
		await (await openStore({ kind: 'sqlite', path })).close();
		const attempt = leaseStore({ kind: 'sqlite', path });
		await expect(attempt).rejects.toThrow(/holds a different cadence store/);
		await expect(attempt).rejects.toMatchObject({ problem: 'storeLost' });
	});

	it('the same store put back from a backup is used again, enrollments and all', async () => {
		const path = defaultSqlitePath();
		await leaseAndSeed(path);
		await closeSharedStores();
		copyFileSync(path, `${path}.backup`);
		const lease = await leaseStore({ kind: 'sqlite', path });
		deleteStoreFile(path);
		await expect(enrollOne(lease.store, 'lost')).rejects.toThrow(/deleted or moved/);
		lease.release();
		copyFileSync(`${path}.backup`, path);
		const again = await leaseStore({ kind: 'sqlite', path });
		try {
			expect((await again.store.listEnrollments()).map((e) => e.contactKey)).toEqual(['first']);
			expect((await enrollOne(again.store, 'second'))[0].outcome).toBe('enrolled');
		} finally {
			again.release();
		}
	});

	it('deleting the remembered stores file allows starting over with an empty store', async () => {
		const path = defaultSqlitePath();
		await leaseAndSeed(path);
		await closeSharedStores();
		deleteStoreFile(path);
		rmSync(join(folder, '.n8n', 'cadence-stores.json'));
		const lease = await leaseStore({ kind: 'sqlite', path });
		try {
			expect(await lease.store.listEnrollments()).toEqual([]);
		} finally {
			lease.release();
		}
	});
});
