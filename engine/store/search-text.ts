/**
 * Free-text search folds case the same way on both databases: in JavaScript, once, when an
 * enrollment is written. SQLite's LOWER and LIKE only fold ASCII ("ÉMILE" would not find
 * "Émile"), and Postgres folds by the database's locale, so neither can be trusted to agree.
 */

/** Between fields, so a search never matches across two of them. */
const SEPARATOR = '\n';

/** Text NFKC leaves as it is (printable ASCII and line breaks are already in normal form). */
const ALREADY_NORMAL = /^[\t\n\r -~]*$/;

/** Compatibility forms unified (ﬁ → fi, full-width → ASCII), then lower case. */
export function foldForSearch(text: string): string {
	return (ALREADY_NORMAL.test(text) ? text : text.normalize('NFKC')).toLowerCase();
}

/**
 * What an enrollment is found by: its contact, conversation, agent and variables. Its cadence's
 * name is kept once, on the cadence (`cadences.search_name`, see ops/search.ts), so a renamed
 * cadence is found by its new name and no enrollment carries a copy of it.
 */
export function enrollmentSearchText(fields: {
	contactName: string;
	contactKey: string;
	conversationKey: string;
	agent: string;
	variables: string;
}): string {
	return foldForSearch(
		[fields.contactName, fields.contactKey, fields.conversationKey, fields.agent, fields.variables]
			.map((field) => field.replaceAll(SEPARATOR, ' '))
			.join(SEPARATOR),
	);
}

/** The search as the user typed it, folded the same way; '' when there is nothing to match. */
export function foldedQuery(search: string | undefined): string {
	return foldForSearch((search ?? '').trim()).replaceAll(SEPARATOR, ' ');
}
