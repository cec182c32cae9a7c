import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';
import { registeredNodes } from '../../support/registered-nodes';

/**
 * Node subtitles on the canvas, computed the way n8n's editor computes them: the node's parameters
 * with their defaults filled in, then the subtitle expression evaluated by n8n-workflow's
 * expression engine in 'internal' mode (an error shows no subtitle at all).
 */

const nodes = registeredNodes();
const nodeTypes: INodeTypes = {
	getByName: (type) => byType(type),
	getByNameAndVersion: (type) => byType(type),
	getKnownTypes: () => ({}),
};
function byType(type: string): INodeType {
	return nodes.find((n) => `n8n-nodes-cadence.${n.node.description.name}` === type)!.node;
}

function subtitleOf(nodeType: INodeType, parameters: INodeParameters): unknown {
	const { description } = nodeType;
	const node: INode = {
		id: 'n1',
		name: description.displayName,
		type: `n8n-nodes-cadence.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	node.parameters =
		NodeHelpers.getNodeParameters(
			description.properties,
			parameters,
			true,
			false,
			node,
			description,
		) ?? {};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	try {
		return workflow.expression.getSimpleParameterValue(
			node,
			description.subtitle as string,
			'internal',
			{},
		);
	} catch (error) {
		return error;
	}
}

/** A subtitle a user can read: text, and none of JavaScript's placeholders for missing values. */
function expectReadable(subtitle: unknown) {
	expect(typeof subtitle).toBe('string');
	expect(subtitle).not.toBe('');
	expect(subtitle).not.toMatch(/undefined|null|NaN|\[object Object\]/);
}

/** Every value of each top-level option the subtitle reads, one parameter set per value. */
function variations(description: INodeType['description']): INodeParameters[] {
	const subtitle = String(description.subtitle);
	const read = description.properties.filter(
		(p: INodeProperties) =>
			subtitle.includes(`"${p.name}"`) && (p.type === 'options' || p.type === 'boolean'),
	);
	const sets: INodeParameters[] = [{}];
	for (const p of read) {
		const values =
			p.type === 'boolean'
				? [true, false]
				: (p.options ?? []).map((o) => ('value' in o ? o.value : ''));
		for (const value of values) sets.push({ [p.name]: value as string | boolean });
	}
	return sets;
}

describe.each(nodes.map((n) => [n.className, n.node] as const))('%s subtitle', (_name, node) => {
	it.each(variations(node.description).map((p) => [JSON.stringify(p), p] as const))(
		'reads well with %s',
		(_label, parameters) => {
			expectReadable(subtitleOf(node, parameters));
		},
	);
});

describe('subtitles that read a cadence picker', () => {
	const enroll = byType('n8n-nodes-cadence.enrollInCadence');

	// As the editor saves a resource locator: __rl marks it as one.
	it.each([
		[
			'picked from the list',
			{ __rl: true, mode: 'list', value: 'Prospecting', cachedResultName: 'Prospecting' },
		],
		['typed by name', { __rl: true, mode: 'name', value: 'Prospecting' }],
	])('Enroll In Cadence names the cadence %s', (_how, cadence) => {
		expect(subtitleOf(enroll, { cadence, contactKey: 'c1' })).toBe('into Prospecting');
	});

	it('Enroll In Cadence says when no cadence is picked yet', () => {
		expect(subtitleOf(enroll, {})).toBe('no cadence picked');
	});

	it('every subtitle that mentions a resource locator reads its plain value', () => {
		for (const { node } of nodes) {
			const subtitle = String(node.description.subtitle);
			for (const p of node.description.properties.filter((x) => x.type === 'resourceLocator')) {
				if (!subtitle.includes(`"${p.name}"`)) continue;
				// $parameter["x"] is already the value; .value / .cachedResultName are always undefined.
				expect(subtitle).not.toMatch(
					new RegExp(`\\["${p.name}"\\]\\.(value|cachedResultName|mode)`),
				);
				const value = subtitleOf(node, {
					[p.name]: { __rl: true, mode: 'name', value: 'Zeta cadence' },
				});
				expect(value).toEqual(expect.stringContaining('Zeta cadence'));
			}
		}
	});
});
