import {
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeProperties,
} from 'n8n-workflow';
import { cadenceDefinitionSchema } from '../../../engine/cadence/definition';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { definitionFromParameters } from '../../../nodes/FollowUpTrigger/definition';
import { parameterLabel } from '../../../nodes/FollowUpTrigger/labels';
import { OUTPUTS_EXPRESSION } from '../../../nodes/FollowUpTrigger/outputs';
import type { ReadParameter } from '../../../nodes/FollowUpTrigger/parameters';
import { DEFAULT_STEP } from '../../../nodes/FollowUpTrigger/properties/steps';
import { cronExpression, readSettings } from '../../../nodes/FollowUpTrigger/settings';
import { validateDefinition } from '../../../nodes/FollowUpTrigger/validate';

const node = new FollowUpTrigger();
const fakeNode = { name: 'Follow-up Trigger' } as INode;

/** Reads parameters the way getNodeParameter does: dotted names, fallback when not set. */
const readerOf =
	(parameters: IDataObject): ReadParameter =>
	(name, fallback) =>
		name.split('.').reduce<unknown>((v, k) => (v as IDataObject | undefined)?.[k], parameters) ??
		fallback;

/** What n8n stores for a freshly added node: every top-level parameter at its default. */
const editorDefaults = (): IDataObject =>
	Object.fromEntries(
		node.description.properties
			.filter((p: INodeProperties) => p.type !== 'notice')
			.map((p) => [p.name, structuredClone(p.default)]),
	);

const build = (parameters: IDataObject, zone = 'Europe/Berlin') =>
	definitionFromParameters(readerOf(parameters), zone);

const validate = (parameters: IDataObject, zone?: string) =>
	validateDefinition(fakeNode, build(parameters, zone));

describe('Follow-up Trigger parameters → cadence definition', () => {
	it('gives a working one-step cadence from the defaults, in the workflow’s time zone', () => {
		const expected = {
			name: 'Nudges',
			active: true,
			persona: '',
			steps: [
				{
					wait: { amount: 3, unit: 'days' },
					instruction: '',
					staticText: DEFAULT_STEP.staticText,
					composeMode: 'static',
					channel: 'automatic',
					whatsappTemplate: '',
					runOnce: false,
				},
			],
			startClock: 'enrollment',
			reply: { action: 'exit', pauseFor: { amount: 1, unit: 'days' } },
			exitOn: { resolved: true, goal: true },
			reenrollment: { whileActive: 'ignore', afterEnd: 'allow' },
			schedule: {
				timeZone: 'Europe/Berlin',
				timeZoneSource: 'cadence',
				workingHours: null,
				quietHours: null,
				holidays: [],
			},
			limits: { perContactPerDay: null, perCadencePerHour: null },
			channels: {
				preference: ['whatsapp', 'sms', 'email'],
				whatsappConnection: 'cloud',
				outsideWindow: 'fail',
				onFailure: 'endEnrollment',
				switching: {
					enabled: false,
					afterHours: 24,
					from: ['liveChat', 'facebook', 'instagram', 'whatsapp'],
					to: 'sms',
				},
				inactivity: { enabled: false, idleMinutes: 60, statuses: ['open', 'pending'] },
			},
		};
		// Both as the editor stores a new node, and with nothing stored but the name.
		expect(build({ ...editorDefaults(), cadenceName: 'Nudges' }).input).toEqual(expected);
		expect(build({ cadenceName: 'Nudges' }).input).toEqual(expected);
		expect(validate({ cadenceName: 'Nudges' })).toEqual(cadenceDefinitionSchema.parse(expected));
	});

	it('maps every parameter and option onto the definition', () => {
		const parameters: IDataObject = {
			cadenceName: '  Win-back  ',
			active: false,
			steps: {
				step: [
					{
						name: 'Nudge',
						waitAmount: 4,
						waitUnit: 'hours',
						composeMode: 'aiFull',
						instruction: 'Remind them we are here',
						staticText: 'Still there?',
						channel: 'sameConversation',
						runOnce: true,
					},
					{
						waitAmount: '2',
						waitUnit: 'businessDays',
						composeMode: 'aiAssisted',
						instruction: 'Offer a call',
						staticText: 'Shall we talk?',
						channel: 'whatsapp',
						whatsappTemplate: ' call_offer ',
						whatsappTemplateLanguage: 'pt_BR',
						whatsappTemplateParameters: '{{firstName}}\n\n INV-{{invoice}} ',
					},
					{
						waitAmount: 30,
						waitUnit: 'minutes',
						composeMode: 'static',
						instruction: 'left over from an AI mode',
						staticText: 'Bye {{firstName}}',
						channel: 'email',
						whatsappTemplate: 'left over from WhatsApp',
					},
					{ waitAmount: 1, waitUnit: 'days', staticText: 'By SMS', channel: 'sms' },
				],
			},
			startClock: 'lastAgentMessage',
			replyAction: 'pause',
			sendingWindow: {
				timeZone: 'America/Chicago',
				useRecipientTimeZone: true,
				workingHours: {
					window: [
						{ days: 'weekdays', from: '08:00', to: '12:00' },
						{ days: 'weekdays', from: '13:00', to: '17:00' },
						{ days: 'saturday', from: '10:00', to: '14:00' },
					],
				},
				quietHours: { window: { from: '21:00', to: '08:00' } },
				holidays: '2026-12-25, 2026-12-26;2027-01-01\n2027-07-04',
			},
			options: {
				persona: 'Sam from Acme',
				pauseAmount: 2,
				pauseUnit: 'hours',
				exitOnResolved: false,
				exitOnGoal: false,
				whileActive: 'restart',
				afterEnd: 'never',
				perContactPerDay: 2,
				perCadencePerHour: 100,
			},
			channels: {
				preference: 'Email, live chat,SMS',
				whatsappConnection: 'web',
				outsideWindow: 'nextChannel',
				onFailure: 'nextChannel',
				switchChannels: true,
				switchAfterHours: 6,
				switchFrom: 'Live Chat, Messenger',
				switchTo: 'email',
				idleEnroll: true,
				idleMinutes: 45,
				idleStatuses: ['pending'],
			},
		};
		const split = [
			{ from: '08:00', to: '12:00' },
			{ from: '13:00', to: '17:00' },
		];
		expect(build(parameters).input).toEqual({
			name: '  Win-back  ',
			active: false,
			persona: 'Sam from Acme',
			steps: [
				{
					name: 'Nudge',
					wait: { amount: 4, unit: 'hours' },
					instruction: 'Remind them we are here',
					staticText: 'Still there?',
					composeMode: 'aiFull',
					channel: 'sameConversation',
					whatsappTemplate: '',
					runOnce: true,
				},
				{
					wait: { amount: 2, unit: 'businessDays' },
					instruction: 'Offer a call',
					staticText: 'Shall we talk?',
					composeMode: 'aiAssisted',
					channel: 'whatsapp',
					whatsappTemplate: 'call_offer',
					whatsappTemplateLanguage: 'pt_BR',
					whatsappTemplateParameters: ['{{firstName}}', 'INV-{{invoice}}'],
					runOnce: false,
				},
				{
					wait: { amount: 30, unit: 'minutes' },
					instruction: '',
					staticText: 'Bye {{firstName}}',
					composeMode: 'static',
					channel: 'email',
					whatsappTemplate: '',
					runOnce: false,
				},
				{
					wait: { amount: 1, unit: 'days' },
					instruction: '',
					staticText: 'By SMS',
					composeMode: 'static',
					channel: 'sms',
					whatsappTemplate: '',
					runOnce: false,
				},
			],
			startClock: 'lastAgentMessage',
			reply: { action: 'pause', pauseFor: { amount: 2, unit: 'hours' } },
			exitOn: { resolved: false, goal: false },
			reenrollment: { whileActive: 'restart', afterEnd: 'never' },
			schedule: {
				timeZone: 'America/Chicago',
				timeZoneSource: 'recipient',
				workingHours: {
					monday: split,
					tuesday: split,
					wednesday: split,
					thursday: split,
					friday: split,
					saturday: [{ from: '10:00', to: '14:00' }],
				},
				quietHours: { from: '21:00', to: '08:00' },
				holidays: ['2026-12-25', '2026-12-26', '2027-01-01', '2027-07-04'],
			},
			limits: { perContactPerDay: 2, perCadencePerHour: 100 },
			channels: {
				preference: ['email', 'liveChat', 'sms'],
				whatsappConnection: 'web',
				outsideWindow: 'nextChannel',
				onFailure: 'nextChannel',
				switching: { enabled: true, afterHours: 6, from: ['liveChat', 'facebook'], to: 'email' },
				inactivity: { enabled: true, idleMinutes: 45, statuses: ['pending'] },
			},
		});
		const valid = validate(parameters);
		expect(valid.name).toBe('Win-back');
		expect(valid.schedule.workingHours?.sunday).toEqual([]);
	});

	it('reaches every value of Days, Start the Clock and When the Contact Replies', () => {
		const hours = (days: string) =>
			validate({
				cadenceName: 'x',
				sendingWindow: { workingHours: { window: [{ days, from: '09:00', to: '17:00' }] } },
			}).schedule.workingHours!;
		const open = (days: string) =>
			Object.entries(hours(days))
				.filter(([, windows]) => windows.length > 0)
				.map(([day]) => day);
		expect(open('everyDay')).toHaveLength(7);
		expect(open('weekend')).toEqual(['saturday', 'sunday']);
		expect(open('wednesday')).toEqual(['wednesday']);
		for (const startClock of ['enrollment', 'lastAgentMessage', 'lastContactMessage'])
			expect(validate({ cadenceName: 'x', startClock }).startClock).toBe(startClock);
		for (const replyAction of ['exit', 'restart', 'pause', 'classify'])
			expect(validate({ cadenceName: 'x', replyAction }).reply.action).toBe(replyAction);
	});

	it('names the parameter and how to fix it when the cadence is invalid', () => {
		const fails = (parameters: IDataObject) => {
			try {
				validate({ cadenceName: 'x', ...parameters });
			} catch (error) {
				expect(error).toBeInstanceOf(NodeOperationError);
				expect((error as NodeOperationError).description).toMatch(/Nothing was published/);
				return (error as Error).message;
			}
			throw new Error('expected the parameters to be rejected');
		};
		const aiWithout = {
			steps: {
				step: [{ ...DEFAULT_STEP }, { ...DEFAULT_STEP, composeMode: 'aiFull', instruction: ' ' }],
			},
		};
		expect(fails(aiWithout)).toBe(
			'Step 2 → Instruction for the AI: an AI step needs an instruction telling the AI what to write',
		);
		expect(fails({ steps: { step: [{ ...DEFAULT_STEP, staticText: '' }] } })).toMatch(
			/^Step 1 → Message Text: a static step needs its message text/,
		);
		expect(fails({ steps: { step: [{ ...DEFAULT_STEP, waitAmount: 'soon' }] } })).toMatch(
			/^Step 1 → Wait: give the wait as a number/,
		);
		expect(fails({ steps: {} })).toMatch(/^Steps: add at least one step/);
		expect(fails({ cadenceName: ' ' })).toMatch(/^Cadence Name: give the cadence a name/);
		expect(fails({ sendingWindow: { timeZone: 'Mars/Olympus' } })).toMatch(
			/^Sending Window → Time Zone: use an IANA time zone name/,
		);
		expect(fails({ sendingWindow: { holidays: '2026-12-25, 2026-02-30' } })).toMatch(
			/^Sending Window → Holidays \("2026-02-30"\): use a real calendar date as YYYY-MM-DD/,
		);
		expect(
			fails({ sendingWindow: { quietHours: { window: { from: '9pm', to: '08:00' } } } }),
		).toMatch(/^Sending Window → Quiet Hours → From: use 24-hour HH:MM/);
		expect(fails({ options: { pauseAmount: 0 } })).toMatch(
			/^Options → Pause Length: pause for at least 1/,
		);
		// A bad "Weekdays" row fails on five days; it is reported once, as the row the user typed.
		const backwards = fails({
			sendingWindow: {
				workingHours: {
					window: [
						{ days: 'saturday', from: '10:00', to: '12:00' },
						{ days: 'weekdays', from: '17:00', to: '09:00' },
					],
				},
			},
		});
		expect(backwards).toBe(
			'Sending Window → Working Hours → row 2: a working window must end after it starts',
		);
	});

	it('turns every definition path into the label the editor shows', () => {
		const provenance = { workingHours: new Map([['tuesday.1', 2]]), holidays: ['2026-13-01'] };
		expect(
			[
				'steps.0.wait.amount',
				'steps.1.wait.unit',
				'steps.2.composeMode',
				'steps.3.channel',
				'steps.0.whatsappTemplate',
				'steps.0.name',
				'steps.4',
				'reply.pauseFor.unit',
				'reenrollment.afterEnd',
				'limits.perCadencePerHour',
				'schedule.workingHours.tuesday.1.to',
				'schedule.holidays.0',
				'schedule.somethingNew',
			].map((path) => parameterLabel(path, provenance)),
		).toEqual([
			'Step 1 → Wait',
			'Step 2 → Wait Unit',
			'Step 3 → Compose Mode',
			'Step 4 → Channel',
			'Step 1 → WhatsApp Template',
			'Step 1 → Step Name',
			'Step 5',
			'Options → Pause Length Unit',
			'Options → If Enrolled Again After It Ended',
			'Options → Max Follow-Ups per Cadence per Hour',
			'Sending Window → Working Hours → row 3 → To',
			'Sending Window → Holidays ("2026-13-01")',
			'schedule.somethingNew',
		]);
	});
});

describe('Follow-up Trigger settings', () => {
	const settings = (options: IDataObject) => readSettings(fakeNode, readerOf({ options }));

	it('has defaults that need no thought, and takes every option', () => {
		expect(settings({})).toEqual({
			checkIntervalSeconds: 10,
			batchSize: 50,
			historyLength: 20,
			stuckAfterMs: 15 * 60_000,
			events: [],
			defaultReviewer: '',
			sandbox: { contactName: 'Alex', timeZone: null, step: 1, variables: {} },
		});
		expect(
			settings({
				checkInterval: 5,
				batchSize: 7,
				historyLength: 3,
				stuckAfterMinutes: 2,
				emitEvents: ['replied', 'exited', 'completed', 'draftPending', 'stuck'],
				defaultReviewer: ' sales@example.com ',
				sandboxContactName: 'Ann',
				sandboxTimeZone: 'America/Chicago',
				sandboxStep: 2,
				sandboxVariables: {
					variable: [
						{ name: 'firstName', value: 'Ann' },
						{ name: ' ', value: 'ignored' },
					],
				},
			}),
		).toEqual({
			checkIntervalSeconds: 5,
			batchSize: 7,
			historyLength: 3,
			stuckAfterMs: 2 * 60_000,
			events: ['replied', 'exited', 'completed', 'draftPending', 'stuck'],
			defaultReviewer: 'sales@example.com',
			sandbox: {
				contactName: 'Ann',
				timeZone: 'America/Chicago',
				step: 2,
				variables: { firstName: 'Ann' },
			},
		});
	});

	it('rejects values outside what the options offer, naming the option', () => {
		expect(() => settings({ batchSize: 0 })).toThrow(
			/"Options → Claim Batch Size" parameter is not valid/,
		);
		expect(() => settings({ checkInterval: 7 })).toThrow(/"Options → Check Every"/);
		expect(() => settings({ emitEvents: ['replied', 'posted'] })).toThrow(
			/"Options → Emit Events"/,
		);
		expect(() => settings({ historyLength: 2.5 })).toThrow(/"Options → History Length"/);
	});

	it('ticks on a seconds-level cron', () => {
		expect([5, 10, 15, 30, 60].map(cronExpression)).toEqual([
			'*/5 * * * * *',
			'*/10 * * * * *',
			'*/15 * * * * *',
			'*/30 * * * * *',
			'0 * * * * *',
		]);
	});
});

describe('Follow-up Trigger outputs', () => {
	// What the editor does with the expression: evaluate it with the node's parameters.
	const outputsFor = (parameters: IDataObject) =>
		new Function('$parameter', `return (${OUTPUTS_EXPRESSION.slice(3, -2)});`)(parameters);

	it('has one "Due Steps" output, and an "Events" output once an event is picked', () => {
		const due = { type: 'main', displayName: 'Due Steps' };
		expect(node.description.outputs).toBe(OUTPUTS_EXPRESSION);
		expect(outputsFor({})).toEqual([due]);
		expect(outputsFor({ options: {} })).toEqual([due]);
		expect(outputsFor({ options: { emitEvents: [] } })).toEqual([due]);
		expect(outputsFor({ options: { emitEvents: ['stuck'] } })).toEqual([
			due,
			{ type: 'main', displayName: 'Events' },
		]);
	});
});
