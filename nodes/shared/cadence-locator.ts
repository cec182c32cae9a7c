import type { ILoadOptionsFunctions, INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import type { CadenceSummary } from '../../engine';
import { withStore } from './store-provider';

/**
 * "Which cadence": picked from the published ones, or typed by name (for templates, and for
 * cadences published on another n8n instance sharing the same store).
 */
export function cadenceLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Cadence',
		name: 'cadence',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description:
			'The cadence, as named in its Follow-up Trigger. It appears in the list once that workflow has been activated.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a cadence…',
				typeOptions: {
					searchListMethod: 'searchCadences',
					searchable: true,
					// The credential is optional (no credential = the default SQLite store), but the
					// editor refuses to load a list while a node's credential is unset unless told so.
					skipCredentialsCheckInRLC: true,
				},
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. Inactivity follow-ups',
			},
		],
		...overrides,
	};
}

export async function searchCadences(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const cadences = await withStore(this, async (store) => store.listCadences({ search: filter }));
	return { results: cadences.map(listEntry) };
}

/**
 * A name used by one cadence is picked by name, so exported workflows keep working elsewhere. A
 * name shared by several (two workflows imported from one template) is shown with its workflow
 * and picked as "Name #id", which the store resolves to exactly that cadence.
 */
function listEntry(c: CadenceSummary): INodeListSearchResult['results'][number] {
	const where = c.nameShared
		? ` — ${c.workflowName ? `workflow "${c.workflowName}"` : `id ${c.id}`}`
		: '';
	return {
		name: `${c.name}${where}${c.active ? '' : ' (paused)'}`,
		value: c.nameShared ? `${c.name} #${c.id}` : c.name,
	};
}
