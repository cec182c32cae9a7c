import type { CadenceStore } from '../../engine';

type PublishedCadence = Awaited<ReturnType<CadenceStore['getCadence']>>;

/** `store.getCadence`, as a node calls it for its items. */
export type CadenceReader = (ref: string | number, version?: number) => Promise<PublishedCadence>;

/**
 * `store.getCadence` read once per cadence and version within one execution: an execution's items
 * are usually all of one cadence, and asking the store again for each of them cost two round
 * trips per item. A version never changes once published, and an execution is short, so what it
 * read at its first item still holds for its last. A failed read is not kept: the next item asks
 * again, and fails (or not) on its own.
 */
export function cadenceReader(store: CadenceStore): CadenceReader {
	const read = new Map<string, Promise<PublishedCadence>>();
	return (ref, version) => {
		const key = JSON.stringify([typeof ref, ref, version ?? null]);
		let cadence = read.get(key);
		if (!cadence) {
			cadence = store.getCadence(ref, version);
			read.set(key, cadence);
			cadence.catch(() => read.delete(key));
		}
		return cadence;
	};
}
