import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where the cadence store lives. Optional: without it, every cadence node uses an SQLite file in
 * the n8n user folder. Postgres is for n8n in queue mode or multi-main, where several processes
 * must share one store.
 */
export class CadenceStoreApi implements ICredentialType {
	name = 'cadenceStoreApi';

	displayName = 'Cadence Store API';

	icon: Icon = { light: 'file:cadenceStore.svg', dark: 'file:cadenceStore.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-cadence#configuration';

	properties: INodeProperties[] = [
		{
			displayName: 'Database',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'SQLite File (One n8n Process)',
					value: 'sqlite',
				},
				{
					name: 'Postgres (Queue Mode or Several n8n Processes)',
					value: 'postgres',
				},
			],
			default: 'sqlite',
		},
		{
			displayName: 'SQLite File Path',
			name: 'sqlitePath',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/cadence/cadence.sqlite',
			description:
				'Where to keep the store. Leave empty for the default file in the n8n user folder.',
			displayOptions: { show: { backend: ['sqlite'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Database Name',
			name: 'database',
			type: 'string',
			default: 'n8n',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Use SSL',
			name: 'ssl',
			type: 'boolean',
			default: false,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'cadence',
			description:
				'The store keeps its tables in this schema of its own, apart from n8n’s and any other tables, and creates and upgrades them there. Created when missing; "public" is not allowed.',
			displayOptions: { show: { backend: ['postgres'] } },
		},
	];
}
