import type { IDataObject, ITriggerFunctions } from 'n8n-workflow';

/**
 * Reads one node parameter, with a fallback for a parameter that is not set. The trigger passes
 * `this.getNodeParameter`; the mapping functions stay plain and testable on their own.
 */
export type ReadParameter = (name: string, fallback: unknown) => unknown;

export function parameterReader(context: ITriggerFunctions): ReadParameter {
	return (name, fallback) => context.getNodeParameter(name, fallback);
}

/** A collection parameter (Options, Sending Window) as an object, empty when not set. */
export function collectionOf(read: ReadParameter, name: string): IDataObject {
	const value = read(name, {});
	return value !== null && typeof value === 'object' ? (value as IDataObject) : {};
}

/** The rows of a fixed collection with several values, e.g. `{ step: [{…}, {…}] }`. */
export function rowsOf(value: unknown, group: string): IDataObject[] {
	if (value === null || typeof value !== 'object') return [];
	const rows = (value as IDataObject)[group];
	if (Array.isArray(rows)) return rows as IDataObject[];
	return rows !== null && typeof rows === 'object' ? [rows as IDataObject] : [];
}

export function text(value: unknown, fallback = ''): string {
	return value === undefined || value === null ? fallback : String(value);
}

/**
 * A number from a parameter or an expression. Something that is not a number stays NaN, so the
 * definition's validation names the parameter instead of a wrong value slipping through.
 */
export function numeric(value: unknown, fallback: number): number {
	if (value === undefined || value === null || value === '') return fallback;
	return typeof value === 'number' ? value : Number(value);
}

export function flag(value: unknown, fallback: boolean): boolean {
	return typeof value === 'boolean' ? value : fallback;
}
