/**
 * How alike two messages are, on normalised character trigrams: case, accents, punctuation and
 * spacing are ignored, so "Hi Ann, still there?" and "hi ann — still there" are identical, and a
 * reworded sentence that keeps most of its words still scores high.
 */

export function normalise(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();
}

export function trigrams(text: string): Set<string> {
	const padded = ` ${normalise(text)} `;
	const grams = new Set<string>();
	for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
	return grams;
}

export interface Likeness {
	/** |A ∩ B| / |A ∪ B|: the two texts as a whole. */
	jaccard: number;
	/** |A ∩ B| / |A|: how much of `text` is already in `earlier` (a shortened copy scores high). */
	containment: number;
}

export function likeness(text: string, earlier: string): Likeness {
	const a = trigrams(text);
	const b = trigrams(earlier);
	if (a.size === 0 || b.size === 0) return { jaccard: 0, containment: 0 };
	let shared = 0;
	for (const gram of a) if (b.has(gram)) shared++;
	return { jaccard: shared / (a.size + b.size - shared), containment: shared / a.size };
}
