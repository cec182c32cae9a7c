import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { REPLY_RATE_GROUPS } from '../../../../engine';
import type { ReplyRateRow } from '../../../../engine';
import { callStore, readCadence } from '../parameters';
import { parameterError } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { reportCadence } from './fields';

const GROUP_LABEL = 'Group By';

/**
 * How often people reply, per step, compose mode, cadence version or agent. Only a person's
 * reply counts: out-of-office notes and auto-replies have their own columns. One flat item per
 * cadence and group, ready for a spreadsheet or a chart.
 */
const properties: INodeProperties[] = [
	reportCadence,
	{
		displayName: GROUP_LABEL,
		name: 'groupBy',
		type: 'options',
		default: 'step',
		description: 'What each row of the report is about',
		options: [
			{
				name: 'Agent',
				value: 'agent',
				description:
					'Per agent (the Agent Name given when enrolling), with how many of their chats are still in follow-up',
			},
			{
				name: 'Cadence Version',
				value: 'version',
				description: 'Per published version, to compare a cadence before and after an edit',
			},
			{
				name: 'Compose Mode',
				value: 'composeMode',
				description: 'Static text against AI assisted and AI full',
			},
			{ name: 'Step', value: 'step', description: 'Which follow-up gets the replies' },
		],
	},
];

export const description = showFor('report', 'replyRates', properties);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const by = String(this.getNodeParameter('groupBy', itemIndex, 'step'));
	if (!(REPLY_RATE_GROUPS as readonly string[]).includes(by)) {
		throw parameterError(
			this,
			itemIndex,
			GROUP_LABEL,
			`must be one of Step, Compose Mode, Cadence Version or Agent, not ${JSON.stringify(by)}`,
			'Pick what to group the reply rates by from the list.',
		);
	}
	const cadence = readCadence(this, itemIndex);
	const rows = await callStore(this, itemIndex, { cadence: 'Cadence', by: GROUP_LABEL }, async () =>
		(await store()).replyRates({ cadence, by: by as ReplyRateRow['by'] }),
	);
	return rows.map(replyRateJson);
};

const GROUP_FIELD: Record<ReplyRateRow['by'], string> = {
	step: 'step',
	composeMode: 'composeMode',
	version: 'cadenceVersion',
	agent: 'agent',
};

export function replyRateJson(row: ReplyRateRow): IDataObject {
	return {
		cadence: row.cadenceName,
		cadenceId: row.cadenceId,
		[GROUP_FIELD[row.by]]: row.group,
		sent: row.sent,
		replied: row.replied,
		replyRatePercent: percent(row.replyRate),
		outOfOffice: row.outOfOffice,
		autoReplies: row.autoReplies,
		skipped: row.skipped,
		failed: row.failed,
		...(row.inFollowUp === undefined ? {} : { inFollowUp: row.inFollowUp }),
	};
}

/** 0.3333 → 33.3; null (nothing sent) stays null rather than a misleading 0. */
export function percent(rate: number | null): number | null {
	return rate === null ? null : Math.round(rate * 1000) / 10;
}
