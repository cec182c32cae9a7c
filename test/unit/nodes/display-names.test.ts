import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { propertiesWithPath, registeredNodes } from '../../support/registered-nodes';

/**
 * One name per concept: a parameter keeps its label on every node (templates rely on the
 * internal `name`, users on the label), and the choices of the same concept read the same.
 */

const nodes = registeredNodes();

/**
 * Internal names that stand for different things in different places, each with its reason.
 * Every other parameter `name` must have one display name across all nodes.
 */
const DIFFERENT_CONCEPTS: Record<string, string> = {
	name: 'a row’s own name: a variable’s name, or a step’s',
	timeZone: 'the cadence’s zone (Time Zone) or the contact’s (Contact Time Zone)',
	contactName: 'the enrolled contact’s name, or the sandbox contact’s in Simulate',
	variables: 'the enrolled contact’s variables, or the sandbox contact’s in Simulate',
	at: 'when a signal happened, named after it: Sent At, Resolved At, Reached At…',
	text: 'the text of different messages: sent, received, a simulated reply',
	note: 'a note on the timeline, or a note for the reviewer',
};

/** The parameters that choose the same thing, whose options must be named alike. */
const SAME_CHOICES: Array<{ concept: string; parameters: string[]; except?: string[] }> = [
	{
		concept: 'how a message is written',
		parameters: ['FollowUpTrigger › steps › composeMode', 'ComposeFollowUp › mode'],
	},
	{
		concept: 'working days',
		parameters: [
			'FollowUpTrigger › sendingWindow › workingHours › days',
			'WaitUntilWorkingHours › workingHours › days',
		],
	},
	{
		concept: 'what a reply does now',
		parameters: ['RecordReply › action', 'Cadence › replies › handling'],
		// Record Reply pauses until a date it is given, a simulated reply for the Pause Length;
		// Record Reply applies the policy of each running cadence, Simulate plays one cadence.
		except: ['pause', 'policy'],
	},
];

interface Found {
	node: string;
	path: string;
	names: string;
	property: INodeProperties;
}

const found: Found[] = nodes.flatMap(({ className, node }) => {
	const walk = (properties: INodeProperties[], names: string): Found[] =>
		properties.flatMap((property) => {
			const here = names ? `${names} › ${property.name}` : property.name;
			const nested = (property.options ?? []).flatMap((option) =>
				'values' in option
					? walk(option.values, here)
					: 'type' in option
						? walk([option as INodeProperties], here)
						: [],
			);
			return [{ node: className, path: '', names: here, property }, ...nested];
		});
	const paths = new Map(
		propertiesWithPath(node.description.properties).map((p) => [p.property, p.path]),
	);
	return walk(node.description.properties, '').map((f) => ({
		...f,
		path: paths.get(f.property) ?? f.property.displayName,
	}));
});

it('gives each parameter name one display name across all nodes', () => {
	const labels = new Map<string, Map<string, string[]>>();
	for (const { node, path, property } of found) {
		if (property.type === 'notice' || property.name in DIFFERENT_CONCEPTS) continue;
		const byLabel = labels.get(property.name) ?? new Map<string, string[]>();
		byLabel.set(property.displayName, [
			...(byLabel.get(property.displayName) ?? []),
			`${node}: ${path}`,
		]);
		labels.set(property.name, byLabel);
	}
	const clashes = [...labels]
		.filter(([, byLabel]) => byLabel.size > 1)
		.map(([name, byLabel]) => ({ name, labels: Object.fromEntries(byLabel) }));
	expect(clashes).toEqual([]);
});

it('lists only names that really appear with different labels as different concepts', () => {
	for (const name of Object.keys(DIFFERENT_CONCEPTS)) {
		const labels = new Set(
			found.filter((f) => f.property.name === name).map((f) => f.property.displayName),
		);
		expect([name, labels.size > 1]).toEqual([name, true]);
	}
});

describe.each(SAME_CHOICES.map((c) => [c.concept, c] as const))(
	'the choices of "%s"',
	(_concept, { parameters, except = [] }) => {
		it('are named the same wherever they are offered', () => {
			const offered = parameters.map((where) => {
				const f = found.find((x) => `${x.node} › ${x.names}` === where);
				expect([where, Boolean(f)]).toEqual([where, true]);
				return (f!.property.options as INodePropertyOptions[]).map((o) => [o.value, o.name]);
			});
			const nameOf = new Map<unknown, string>();
			for (const options of offered)
				for (const [value, name] of options) {
					if (except.includes(value as string)) continue;
					if (!nameOf.has(value)) nameOf.set(value, name as string);
					expect([value, name]).toEqual([value, nameOf.get(value)]);
				}
		});
	},
);
