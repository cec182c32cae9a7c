import type { CadenceDefinition } from '../../cadence/definition';
import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import type { EnrollInput } from '../inputs';
import type { SqlExecutor } from '../sql/driver';
import type { EnrollResult, Enrollment } from '../types';
import type { CadenceScope, StoreContext } from './context';
import { saveIdentitiesOf } from './conversations';
import { restartChain } from './chain';
import {
	buildEnrollments,
	clockAnchor,
	identityOf,
	maxRowsPerInsert,
	writeEnrollments,
	type BuiltPart,
	type CadenceInfo,
} from './enroll-insert';
import { ENROLLMENT_SELECT, toEnrollment } from './rows';
import {
	EnrollParts,
	type ItemNumber,
	type ParsedEnroll,
	type PartRange,
} from './enroll-validation';

export type { ParsedEnroll };

export interface EnrollOptions extends CadenceScope {
	/**
	 * The number a message gives each input ("item 3"), when the caller's list is not the one its
	 * user sees: Enroll In Cadence hands over only the items that passed its own checks, and a
	 * message must name the item as the node's input numbers it. Default: 1, 2, 3…
	 */
	itemNumbers?: readonly number[];
}

function itemNumbering(options: EnrollOptions): ItemNumber {
	const numbers = options.itemNumbers;
	return (index) => numbers?.[index] ?? index + 1;
}

/**
 * Items per part of a batch. The first part is small, so the database starts writing early; each
 * later part is checked, sorted and built while the one before it is written.
 */
const FIRST_PART_ROWS = 200;
const ROWS_PER_PART = 500;

function partRangesFor(ctx: StoreContext): (count: number) => PartRange[] {
	const most = Math.min(ROWS_PER_PART, maxRowsPerInsert(ctx));
	return (count) => {
		const ranges: PartRange[] = [];
		for (let start = 0; start < count; ) {
			const end = Math.min(count, start + (start === 0 ? Math.min(FIRST_PART_ROWS, most) : most));
			ranges.push([start, end]);
			start = end;
		}
		return ranges;
	};
}

/**
 * Enrolls every input in one transaction: either all of them are recorded or none is. Each
 * result says what happened — enrolled, already enrolled, restarted, suppressed or not allowed.
 * Bad input fails the whole call, naming every bad item, and writes nothing: a bad item in the
 * first part fails before the database is asked anything, one further on rolls the transaction
 * back (see EnrollParts).
 */
export async function enroll(
	ctx: StoreContext,
	inputs: EnrollInput[],
	options: EnrollOptions = {},
): Promise<EnrollResult[]> {
	const itemNumber = itemNumbering(options);
	const parts = EnrollParts.ofInputs(inputs, itemNumber, partRangesFor(ctx));
	// Checked before the transaction opens: a bad item here asks nothing of the database.
	parts.part(0);
	const now = ctx.now();
	return ctx.driver.transaction((db) => enrollParts(ctx, db, parts, options, now, itemNumber));
}

/** The enrollment rules inside the caller's transaction, for inputs already validated. */
export async function enrollWithin(
	ctx: StoreContext,
	db: SqlExecutor,
	parsed: ParsedEnroll[],
	scope: CadenceScope,
	now: number,
): Promise<EnrollResult[]> {
	const parts = EnrollParts.ofParsed(parsed, partRangesFor(ctx));
	return enrollParts(ctx, db, parts, scope, now, itemNumbering({}));
}

/** What the parts of one batch share: its answers so far and what it has seen. */
interface Batch {
	results: EnrollResult[];
	cadences: Map<string | number, CadenceInfo>;
	/** Each identity's first item (its index), which a later one repeats. */
	seen: Map<string, number>;
	repeats: Array<{ index: number; first: number }>;
}

/** A part sorted and built: the rows it writes, and whether it looked its contacts up first. */
interface PreparedPart {
	toInsert: ToInsert[];
	built: BuiltPart;
	lookFirst: boolean;
}

type ToInsert = { index: number; input: ParsedEnroll; cadence: CadenceInfo };

/**
 * The batch part by part, in one transaction: while the database writes a part, the next one is
 * checked, sorted and built. Every rule applies to an item through its own cadence, and a repeat
 * is found against the whole batch, so the answers are those of doing the batch at once.
 */
async function enrollParts(
	ctx: StoreContext,
	db: SqlExecutor,
	parts: EnrollParts,
	scope: CadenceScope,
	now: number,
	itemNumber: ItemNumber,
): Promise<EnrollResult[]> {
	const batch: Batch = {
		results: new Array(parts.count),
		cadences: new Map(),
		seen: new Map(),
		repeats: [],
	};
	if (parts.count === 0) return batch.results;
	const prepare = (k: number) => preparePart(ctx, db, batch, parts, k, scope, now, itemNumber);
	try {
		let preparing: Promise<PreparedPart> | null = prepare(0);
		for (let k = 0; preparing !== null; k++) {
			const part: PreparedPart = await preparing;
			const writing = writeEnrollments(ctx, db, part.built, now);
			// Should the next part fail first (a bad item), the write's own failure is not unhandled.
			writing.catch(() => undefined);
			preparing = k + 1 < parts.ranges.length ? prepare(k + 1) : null;
			preparing?.catch(() => undefined);
			await settlePart(ctx, db, batch, part, await writing);
		}
	} catch (error) {
		// Bad input is reported before anything else that went wrong (an unknown cadence in a
		// part before the bad item, say), as when the whole batch was checked first.
		parts.checkAll();
		throw error;
	}
	// A repeat of an opted-out contact's item is opted out too, as when it was found first.
	for (const { index, first } of batch.repeats)
		if (batch.results[first].outcome === 'suppressed') batch.results[index] = suppressedResult();
	return batch.results;
}

/** Part `k` checked, its items answered where they can be, and the rest built to be written. */
async function preparePart(
	ctx: StoreContext,
	db: SqlExecutor,
	batch: Batch,
	parts: EnrollParts,
	k: number,
	scope: CadenceScope,
	now: number,
	itemNumber: ItemNumber,
): Promise<PreparedPart> {
	const parsed = parts.part(k);
	const offset = parts.ranges[k][0];
	const { results, cadences, seen, repeats } = batch;
	const partCadences = new Map<string | number, CadenceInfo>();
	for (const input of parsed) {
		if (partCadences.has(input.cadence)) continue;
		let cadence = cadences.get(input.cadence);
		if (!cadence) {
			cadence = await loadCadence(ctx, db, input.cadence, scope);
			cadences.set(input.cadence, cadence);
		}
		partCadences.set(input.cadence, cadence);
	}
	await saveIdentitiesOf(db, parsed, now);
	const lookFirst = !repeatsOnlyAnswered(partCadences);
	// Where every cadence is on and repeats change nothing, nothing depends on a contact having
	// opted out but whether it is written: the insert leaves opted-out contacts out itself, and
	// the few it left out are told apart afterwards, instead of asking for the part's contacts
	// first (a round trip per part).
	const insertFindsSuppressed = !lookFirst && [...partCadences.values()].every((c) => c.active);
	const suppressed = insertFindsSuppressed
		? NONE_SUPPRESSED
		: await suppressedAmong(ctx, db, parsed);
	const runningNow = lookFirst ? await runningAmong(ctx, db, parsed, cadences) : NONE_RUNNING;
	const toInsert: ToInsert[] = [];

	for (let i = 0; i < parsed.length; i++) {
		const index = offset + i;
		const input = parsed[i];
		const cadence = partCadences.get(input.cadence)!;
		const identity = identityOf(cadence.id, input.contactKey, input.conversationKey);
		if (suppressed.has(input.contactKey)) {
			results[index] = suppressedResult();
			continue;
		}
		if (!cadence.active) {
			results[index] = {
				outcome: 'notAllowed',
				enrollment: null,
				message: `The cadence "${cadence.definition.name}" is paused; turn it back on to enroll contacts.`,
			};
			continue;
		}
		const first = seen.get(identity);
		if (first !== undefined) {
			repeats.push({ index, first });
			results[index] = {
				outcome: 'alreadyEnrolled',
				enrollment: null,
				message: `Listed twice in this batch; enrolled once (item ${itemNumber(first)}).`,
			};
			continue;
		}
		seen.set(identity, index);
		const running = runningNow.get(identity);
		if (running) {
			const anchor = input.startAt ?? (await clockAnchor(db, cadence.definition, input)) ?? now;
			results[index] = await onRepeat(ctx, db, running, cadence.definition, anchor, now);
			continue;
		}
		if (
			cadence.definition.reenrollment.afterEnd === 'never' &&
			(await hasEnded(db, cadence.id, input))
		) {
			results[index] = {
				outcome: 'notAllowed',
				enrollment: null,
				message:
					'This contact already went through this cadence, and it allows one enrollment per contact.',
			};
			continue;
		}
		toInsert.push({ index, input, cadence });
	}
	return { toInsert, built: await buildEnrollments(ctx, db, toInsert, now), lookFirst };
}

/** A written part's answers: enrolled, or left out by the insert (opted out, or running). */
async function settlePart(
	ctx: StoreContext,
	db: SqlExecutor,
	batch: Batch,
	{ toInsert, lookFirst }: PreparedPart,
	inserted: Map<string, Enrollment>,
): Promise<void> {
	const { results, cadences } = batch;
	const skipped: ToInsert[] = [];
	for (const row of toInsert) {
		const { index, input, cadence } = row;
		const enrollment = inserted.get(
			identityOf(cadence.id, input.contactKey, input.conversationKey),
		);
		if (enrollment) results[index] = { outcome: 'enrolled', enrollment, message: 'Enrolled.' };
		else skipped.push(row);
	}
	if (skipped.length === 0) return;
	// Left out by the insert: opted out (while the insert ran, or found by it), or running
	// already; found now in a read or two.
	const skippedInputs = skipped.map((row) => row.input);
	const optedOut = await suppressedAmong(ctx, db, skippedInputs);
	const running = await runningAmong(ctx, db, skippedInputs, cadences);
	for (const { index, input, cadence } of skipped) {
		if (optedOut.has(input.contactKey)) {
			results[index] = suppressedResult();
			continue;
		}
		results[index] = {
			outcome: 'alreadyEnrolled',
			enrollment:
				running.get(identityOf(cadence.id, input.contactKey, input.conversationKey)) ?? null,
			message: lookFirst ? 'Already enrolled (by another process a moment ago).' : UNCHANGED,
		};
	}
}

function suppressedResult(): EnrollResult {
	return {
		outcome: 'suppressed',
		enrollment: null,
		message: 'This contact opted out; no cadence will message them.',
	};
}
const NONE_SUPPRESSED: ReadonlySet<string> = new Set();
const NONE_RUNNING: ReadonlyMap<string, Enrollment> = new Map();
const UNCHANGED = 'Already enrolled; the running enrollment continues unchanged.';

/**
 * Whether, for every cadence of the batch, a contact already running needs nothing but its
 * answer: repeats are ignored, a contact may come back after an ending, and the chain's start
 * reads nothing of the contact's history. Then the insert itself finds the running ones (its
 * ON CONFLICT leaves them out) and they are read afterwards, instead of looking every contact
 * of the batch up first.
 */
function repeatsOnlyAnswered(cadences: Map<string | number, CadenceInfo>): boolean {
	for (const { definition } of cadences.values()) {
		const { whileActive, afterEnd } = definition.reenrollment;
		if (whileActive !== 'ignore' || afterEnd !== 'allow') return false;
		if (definition.startClock === 'lastContactMessage') return false;
		if (definition.steps.some((step) => step.runOnce)) return false;
	}
	return true;
}

async function loadCadence(
	ctx: StoreContext,
	db: SqlExecutor,
	ref: string | number,
	scope: CadenceScope,
): Promise<CadenceInfo> {
	const { id, name, latestVersion: version, active } = await ctx.cadenceRow(db, ref, scope);
	return {
		id,
		name,
		version,
		active,
		definition: await ctx.definition(db, id, version),
	};
}

/**
 * Among the batch's contacts, the suppressed ones, and the enrollments still running in the
 * batch's cadences. The contact keys and cadence ids go in as one parameter each, so the
 * statements' text is the same for any batch (they are prepared, planned once per connection and
 * again when the tables' statistics change), and each is read through its index.
 */
async function suppressedAmong(
	ctx: StoreContext,
	db: SqlExecutor,
	inputs: ParsedEnroll[],
): Promise<Set<string>> {
	const { dialect } = ctx.driver;
	const rows = await db.allPrepared<{ contact_key: string }>(
		`SELECT contact_key FROM suppressions WHERE ${dialect.inTexts('contact_key')}`,
		[contactKeysOf(ctx, inputs)],
	);
	return new Set(rows.map((row) => row.contact_key));
}

async function runningAmong(
	ctx: StoreContext,
	db: SqlExecutor,
	inputs: ParsedEnroll[],
	cadences: Map<string | number, CadenceInfo>,
): Promise<Map<string, Enrollment>> {
	const { dialect } = ctx.driver;
	const cadenceIds = [...new Set([...cadences.values()].map((cadence) => cadence.id))];
	const rows = await db.allPrepared(
		`${ENROLLMENT_SELECT} WHERE ${dialect.inTexts('e.contact_key')}
		AND ${dialect.inIds('e.cadence_id')} AND e.state IN ${RUNNING_STATES_SQL}`,
		[contactKeysOf(ctx, inputs), dialect.idsParam(cadenceIds)],
	);
	const running = new Map<string, Enrollment>();
	for (const enrollment of rows.map(toEnrollment)) {
		running.set(
			identityOf(enrollment.cadenceId, enrollment.contactKey, enrollment.conversationKey),
			enrollment,
		);
	}
	return running;
}

function contactKeysOf(ctx: StoreContext, inputs: ParsedEnroll[]): string {
	return ctx.driver.dialect.textsParam([...new Set(inputs.map((input) => input.contactKey))]);
}

async function hasEnded(db: SqlExecutor, cadenceId: number, input: ParsedEnroll): Promise<boolean> {
	const rows = await db.all(
		`SELECT 1 AS found FROM enrollments WHERE cadence_id = ? AND contact_key = ? AND conversation_key = ?
		AND state NOT IN ${RUNNING_STATES_SQL} LIMIT 1`,
		[cadenceId, input.contactKey, input.conversationKey],
	);
	return rows.length > 0;
}

async function onRepeat(
	ctx: StoreContext,
	db: SqlExecutor,
	running: Enrollment,
	definition: CadenceDefinition,
	startAt: number,
	now: number,
): Promise<EnrollResult> {
	if (definition.reenrollment.whileActive === 'ignore') {
		return {
			outcome: 'alreadyEnrolled',
			enrollment: running,
			message: UNCHANGED,
		};
	}
	const restarted = await restartChain(ctx, db, running, startAt, now, 'enrolled again');
	return {
		outcome: 'restarted',
		enrollment: restarted,
		message: 'Already enrolled; its clock restarted from step 1.',
	};
}
