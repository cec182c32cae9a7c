import {
	existsSync,
	mkdirSync,
	readFileSync,
	realpathSync,
	renameSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CadenceStoreError } from '../errors';

/**
 * What this n8n remembers about the SQLite stores it used: their ids, kept in n8n's own data
 * folder, away from the store files. A store file that is deleted (or its folder) is then not
 * silently re-created empty — which would re-publish every cadence as if new and forget every
 * enrollment — and a different store put in its place is not taken for the old one.
 */

interface Seen {
	id: string;
	firstSeen: string;
}

type Evidence = Record<string, Seen>;

/** Older entries are dropped beyond this, so test runs and moved stores cannot grow it forever. */
const MAX_ENTRIES = 200;

/** n8n's data folder: `N8N_USER_FOLDER` (or the home folder) + `.n8n`, as n8n itself uses. */
export function evidenceFile(userFolder: string): string {
	return join(userFolder, '.n8n', 'cadence-stores.json');
}

/** One name per file, however the path was spelled, also when the file itself is gone. */
export function storeFileKey(path: string): string {
	const absolute = resolve(path);
	try {
		return join(realpathSync(dirname(absolute)), basename(absolute));
	} catch {
		return absolute;
	}
}

function read(file: string): Evidence {
	try {
		const parsed = JSON.parse(readFileSync(file, 'utf8')) as { stores?: Evidence };
		return parsed.stores && typeof parsed.stores === 'object' ? parsed.stores : {};
	} catch {
		return {};
	}
}

/** A store file with something in it (SQLite creates an empty file before its first table). */
function hasContent(path: string): boolean {
	try {
		return statSync(path).size > 0;
	} catch {
		return false;
	}
}

/**
 * Before opening: refuses to create a store where this n8n had one. Throws when the file is
 * missing or empty although a store with data was used there.
 */
export function refuseLostStore(path: string, file: string): void {
	const seen = read(file)[storeFileKey(path)];
	if (!seen || hasContent(path)) return;
	throw new CadenceStoreError(
		`The cadence store file "${path}" is missing, but this n8n kept its cadences and ` +
			`enrollments there (store ${seen.id}, first used ${seen.firstSeen}). It was deleted or ` +
			'moved. No new, empty store was created in its place, so no cadence silently starts ' +
			'over. Put the file back (or restore it from a backup), then activate the workflow or ' +
			`run the node again. To start over with an empty store on purpose, also delete "${file}".`,
		undefined,
		'storeLost',
	);
}

/**
 * After opening: the store at `path` must be the one remembered there; a store seen there for
 * the first time is remembered.
 */
export function checkStoreIdentity(path: string, id: string, file: string, now: Date): void {
	const evidence = read(file);
	const key = storeFileKey(path);
	const seen = evidence[key];
	if (seen && seen.id === id) return;
	if (seen) {
		throw new CadenceStoreError(
			`The file "${path}" holds a different cadence store (${id || 'one without an id'}) from ` +
				`the one this n8n used there (${seen.id}, first used ${seen.firstSeen}): the file was ` +
				'replaced. Nothing was written to it. Put the original file back (or restore it from a ' +
				`backup). To use the store now in that file from now on, delete "${file}".`,
			undefined,
			'storeLost',
		);
	}
	// Only beside an n8n: a folder without n8n's data is not an instance to protect.
	if (!existsSync(dirname(file))) return;
	evidence[key] = { id, firstSeen: now.toISOString() };
	const kept = Object.entries(evidence).slice(-MAX_ENTRIES);
	mkdirSync(dirname(file), { recursive: true });
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify({ stores: Object.fromEntries(kept) }, null, '\t')}\n`);
	renameSync(temporary, file);
}
