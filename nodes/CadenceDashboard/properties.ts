import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_PATH = 'follow-ups';

export const properties: INodeProperties[] = [
	{
		displayName:
			'Publish this workflow, then open its <b>Production URL</b> (above) in your browser: every contact with a follow-up to come, their conversations, and the reports. Only people who log in with the credential below can see it.',
		name: 'howItWorks',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: DEFAULT_PATH,
		required: true,
		placeholder: 'follow-ups',
		description:
			'The end of the page’s address: <code>https://your-n8n/webhook/follow-ups</code>. Use a different path for each dashboard.',
	},
	{
		displayName: 'Who Can Open It',
		name: 'authentication',
		type: 'options',
		options: [
			{
				name: 'People With the Login (Basic Auth)',
				value: 'basicAuth',
				description: 'The browser asks for the user name and password of the credential you pick',
			},
			{
				name: 'Requests With a Header (Header Auth)',
				value: 'headerAuth',
				description:
					'For a login proxy in front of n8n that adds a secret header to every request it lets through',
			},
			{
				name: 'Anyone With the Link (Not Protected)',
				value: 'none',
				description: 'No login: whoever has the address sees your contacts and can pause them',
			},
		],
		default: 'basicAuth',
	},
	{
		displayName:
			'Anyone who finds this address can read your contacts’ conversations and pause or cancel their follow-ups. Choose a login above unless n8n itself is only reachable from a private network.',
		name: 'unprotectedWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Rows Per Page',
				name: 'rowsPerPage',
				type: 'number',
				typeOptions: { minValue: 10, maxValue: 200 },
				default: 50,
				description: 'How many contacts the list shows at once',
			},
			{
				displayName: 'Stuck After (Minutes)',
				name: 'stuckAfterMinutes',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description:
					'A follow-up handed to the workflow and not confirmed as sent within this long is listed as stuck in the reports, with a Retry button',
			},
		],
	},
];
