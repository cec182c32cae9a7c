import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { variablesFrom } from '../../../shared/fragments/variables';
import {
	cadenceDefinitionSchema,
	timeZoneSchema,
	type CadenceDefinition,
} from '../../../../engine';
import type { SimulatedReply } from '../../../../engine';
import type { AppliedReply } from '../../../../engine';
import { TIME_ZONE_ADVICE, toProblems } from '../../../../engine';
import { callStore, readCadence, readText } from '../parameters';
import { parameterError } from '../../../shared/parameters';
import type { StoreAccess } from '../types';
import { DEFINITION_LABEL } from './properties';

/** Reading what to simulate: the definition, the sample contact and the replies. */

export interface Source {
	definition: CadenceDefinition;
	/** The published version played, when the definition came from the store. */
	version: number | null;
}

export async function readSource(
	context: IExecuteFunctions,
	itemIndex: number,
	store: StoreAccess,
): Promise<Source> {
	if (context.getNodeParameter('cadenceSource', itemIndex, 'published') === 'json') {
		return { definition: readJsonDefinition(context, itemIndex), version: null };
	}
	const name = readCadence(context, itemIndex);
	if (!name) {
		throw parameterError(
			context,
			itemIndex,
			'Cadence',
			'is empty',
			'Pick the cadence to simulate from the list, or switch Cadence Source to a JSON definition.',
		);
	}
	const published = await callStore(context, itemIndex, {}, async () =>
		(await store()).getCadence(name),
	);
	if (!published) {
		throw parameterError(
			context,
			itemIndex,
			'Cadence',
			`names no published cadence: "${name}" was not found`,
			'Activate the workflow with its Follow-up Trigger to publish it, or pick one from the list.',
		);
	}
	return { definition: published.definition, version: published.version };
}

function readJsonDefinition(context: IExecuteFunctions, itemIndex: number): CadenceDefinition {
	const raw = context.getNodeParameter('definition', itemIndex, '') as unknown;
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = JSON.parse(raw);
		} catch (error) {
			throw parameterError(
				context,
				itemIndex,
				DEFINITION_LABEL,
				`is not valid JSON: ${(error as Error).message}`,
				'Check the quotes, commas and brackets; the default value shows the expected shape.',
			);
		}
	}
	const checked = cadenceDefinitionSchema.safeParse(parsed);
	if (checked.success) return checked.data;
	const problems = toProblems(checked.error).map((p) =>
		p.field ? `${p.field}: ${p.message}` : p.message,
	);
	throw parameterError(
		context,
		itemIndex,
		DEFINITION_LABEL,
		`is not a valid cadence — ${problems.join('; ')}`,
		'Fix the fields named above; field paths count steps from 0 (steps.1 is the second step).',
	);
}

export function readContact(context: IExecuteFunctions, itemIndex: number) {
	const timeZone = readText(context, itemIndex, 'contactTimeZone');
	if (timeZone && !timeZoneSchema.safeParse(timeZone).success) {
		throw parameterError(
			context,
			itemIndex,
			'Sandbox Contact Time Zone',
			`is not a time zone: ${JSON.stringify(timeZone)}`,
			`${TIME_ZONE_ADVICE}, or leave it empty.`,
		);
	}
	const variables = variablesFrom(context.getNodeParameter('variables', itemIndex, {}));
	return {
		name: readText(context, itemIndex, 'contactName'),
		timeZone: timeZone || null,
		variables,
	};
}

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };
const ACTIONS: readonly string[] = ['exit', 'restart', 'pause', 'ignore', 'optOut'];

export function readReplies(
	context: IExecuteFunctions,
	itemIndex: number,
	stepCount: number,
): SimulatedReply[] {
	const rows = context.getNodeParameter('replies.reply', itemIndex, []) as IDataObject[];
	return rows.map((row, n) => {
		const where = `Simulated Replies → Reply ${n + 1} →`;
		const afterStep = Number(row.afterStep);
		if (!Number.isInteger(afterStep) || afterStep < 1 || afterStep > stepCount) {
			throw parameterError(
				context,
				itemIndex,
				`${where} After Step`,
				`must be a step number from 1 to ${stepCount}, not ${JSON.stringify(row.afterStep)}`,
				`The cadence has ${stepCount} step(s); say after which one the contact replies.`,
			);
		}
		const delay = Number(row.delay ?? 0);
		const unit = UNIT_MS[String(row.delayUnit ?? 'hours')];
		if (!Number.isFinite(delay) || delay < 0 || unit === undefined) {
			throw parameterError(
				context,
				itemIndex,
				`${where} Delay`,
				`must be zero or more minutes, hours or days, not ${JSON.stringify(row.delay)} ${String(row.delayUnit)}`,
				'Enter how long after the follow-up the reply comes, e.g. 2 hours.',
			);
		}
		const action = String(row.handling ?? 'policy');
		if (action !== 'policy' && !ACTIONS.includes(action)) {
			throw parameterError(
				context,
				itemIndex,
				`${where} Reply Handling`,
				`must be one of ${['policy', ...ACTIONS].join(', ')}, not ${JSON.stringify(action)}`,
				'Pick how the reply is handled from the list.',
			);
		}
		return {
			afterStep,
			delayMs: Math.round(delay * unit),
			text: String(row.text ?? ''),
			...(action === 'policy' ? {} : { action: action as AppliedReply }),
		};
	});
}
