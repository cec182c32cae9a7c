import type { IDataObject, INodeProperties } from 'n8n-workflow';

/**
 * A contact's variables (firstName, invoiceLink…), which messages use as {{name}}: the same rows
 * wherever they are set — on an enrollment, or on a sandbox contact for a preview or a simulation.
 */
export function variablesProperty(
	property: Pick<INodeProperties, 'displayName' | 'name' | 'description'>,
): INodeProperties {
	return {
		...property,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Variable',
		default: {},
		options: [
			{
				displayName: 'Variable',
				name: 'variable',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	};
}

/**
 * The variables out of the parameter's value, `{ variable: [{ name, value }, …] }`. Rows without
 * a name are left out; values stay as the expression gave them.
 */
export function variablesFrom(value: unknown): Record<string, unknown> {
	const rows = value !== null && typeof value === 'object' ? (value as IDataObject).variable : [];
	// One row may come as an object rather than a list of one.
	const list = Array.isArray(rows) ? rows : rows && typeof rows === 'object' ? [rows] : [];
	const variables: Record<string, unknown> = {};
	for (const row of list as IDataObject[]) {
		if (row?.name) variables[String(row.name)] = row.value;
	}
	return variables;
}
