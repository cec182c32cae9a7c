import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
	NodeHelpers,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { cadenceDefinitionSchema, type CadenceDefinition } from '../../engine/cadence/definition';
import { renderTemplate } from '../../engine/compose/render-template';
import { toProblems } from '../../engine/validation';
import { definitionFromParameters } from '../../nodes/FollowUpTrigger/definition';
import { previewItem } from '../../nodes/FollowUpTrigger/preview';
import { readSettings } from '../../nodes/FollowUpTrigger/settings';

/**
 * The importable templates in examples/ are also the end-to-end fixtures, so they are checked
 * here without n8n: every file is an importable workflow; every node is a type n8n has, with
 * parameters its description knows and values it accepts; connections fit the nodes' inputs and
 * outputs; credentials are placeholders; each Follow-up Trigger holds a valid cadence; and the
 * workflows can be activated or run right after import, before any credential is set.
 */

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const PACKAGE = 'n8n-nodes-cadence';
const PLACEHOLDER_ID = 'REPLACE_ME';
/** The dashboard's default login (Basic Auth): a template keeps the page closed until it is set. */
const DASHBOARD_LOGIN = 'httpBasicAuth';
const GRID = 20;

interface Box {
	left: number;
	top: number;
	right: number;
	bottom: number;
}

/**
 * The area n8n 2.41's canvas draws for a node at its position (top left), with its name and
 * subtitle under it and its connection labels: a plain node is 100 wide with a name up to 200
 * wide centred under it; a node with AI inputs is 240 wide, its output labels beside it and its
 * input labels under it; a sub-node (chat model, memory) is an 80 circle with a 160 wide name.
 */
function drawnBox(node: INode): Box {
	const [x, y] = node.position;
	const facts = typeFacts(node.type);
	if (facts?.inputs.some((input) => input !== 'main'))
		return { left: x, top: y, right: x + 300, bottom: y + 140 };
	if (facts && facts.inputs.length === 0 && !facts.trigger)
		return { left: x - 40, top: y, right: x + 120, bottom: y + 110 };
	return { left: x - 50, top: y, right: x + 150, bottom: y + 180 };
}

function noteBox(note: INode): Box {
	const [x, y] = note.position;
	const { width, height } = note.parameters as { width: number; height: number };
	return { left: x, top: y, right: x + width, bottom: y + height };
}

const boxesOverlap = (a: Box, b: Box) =>
	a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const boxInside = (inner: Box, outer: Box) =>
	inner.left >= outer.left &&
	inner.top >= outer.top &&
	inner.right <= outer.right &&
	inner.bottom <= outer.bottom;

// ---- the node types a template may use ----

interface NodeTypeFacts {
	versions: number[];
	/** Connection types the node accepts. */
	inputs: string[];
	/** Connection type → how many outputs of it. */
	outputs: (parameters: IDataObject) => Record<string, number>;
	credentials: string[];
	trigger: boolean;
	/** This package's nodes: the description the parameters are checked against. */
	description?: INodeTypeDescription;
}

const fixed = (outputs: Record<string, number>) => () => outputs;
const main = fixed({ main: 1 });
const trigger = (versions: number[], credentials: string[] = []): NodeTypeFacts => ({
	versions,
	inputs: [],
	outputs: main,
	credentials,
	trigger: true,
});
const action = (versions: number[], credentials: string[] = [], outputs = main): NodeTypeFacts => ({
	versions,
	inputs: ['main'],
	outputs,
	credentials,
	trigger: false,
});
const subNode = (version: number, output: string, credential: string): NodeTypeFacts => ({
	versions: [version],
	inputs: [],
	outputs: fixed({ [output]: 1 }),
	credentials: [credential],
	trigger: false,
});

/** n8n's own node types the templates use, as n8n 2.41.1 describes them. */
const N8N_TYPES: Record<string, NodeTypeFacts> = {
	'n8n-nodes-base.stickyNote': { ...action([1]), inputs: [], outputs: fixed({}) },
	'n8n-nodes-base.manualTrigger': trigger([1]),
	'n8n-nodes-base.webhook': trigger([2, 2.1]),
	'n8n-nodes-base.scheduleTrigger': trigger([1.2]),
	'n8n-nodes-base.telegramTrigger': trigger([1.2], ['telegramApi']),
	'n8n-nodes-base.gmailTrigger': trigger([1.2], ['gmailOAuth2']),
	'n8n-nodes-base.whatsAppTrigger': trigger([1], ['whatsAppTriggerApi']),
	'n8n-nodes-base.telegram': action([1.2], ['telegramApi']),
	'n8n-nodes-base.whatsApp': action([1.1], ['whatsAppApi']),
	'n8n-nodes-base.twilio': action([1], ['twilioApi']),
	'n8n-nodes-base.gmail': action([2.1], ['gmailOAuth2']),
	'n8n-nodes-base.httpRequest': action([4.2], ['httpHeaderAuth']),
	'n8n-nodes-base.set': action([3.4]),
	'n8n-nodes-base.code': action([2]),
	'n8n-nodes-base.if': action([2.2], [], fixed({ main: 2 })),
	'n8n-nodes-base.limit': action([1]),
	'n8n-nodes-base.noOp': action([1]),
	'@n8n/n8n-nodes-langchain.agent': {
		...action([3.1]),
		inputs: ['main', 'ai_languageModel', 'ai_memory', 'ai_tool'],
	},
	'@n8n/n8n-nodes-langchain.lmChatOpenAi': subNode(1.2, 'ai_languageModel', 'openAiApi'),
	'@n8n/n8n-nodes-langchain.memoryPostgresChat': subNode(1.3, 'ai_memory', 'postgres'),
};

/** Channel nodes that deliver a follow-up: in a cadence workflow each is followed by Mark Sent. */
const SEND_TYPES = ['telegram', 'whatsApp', 'twilio', 'gmail', 'httpRequest'].map(
	(name) => `n8n-nodes-base.${name}`,
);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[] };
};

/** This package's registered nodes, loaded from source as package.json names them in dist/. */
const OUR_TYPES: Record<string, NodeTypeFacts> = Object.fromEntries(
	pkg.n8n.nodes.map((distPath) => {
		const file = join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		const className = basename(file, '.node.ts');
		const description = new (require(file)[className] as new () => INodeType)().description;
		const facts: NodeTypeFacts = {
			versions: [description.version].flat(),
			inputs: connectionTypes(description.inputs, {}).map((c) => c.type),
			outputs: (parameters) => countByType(connectionTypes(description.outputs, parameters)),
			credentials: (description.credentials ?? []).map((c) => c.name),
			trigger: description.group.includes('trigger'),
			description,
		};
		return [`${PACKAGE}.${description.name}`, facts];
	}),
);

function typeFacts(type: string): NodeTypeFacts | undefined {
	return OUR_TYPES[type] ?? N8N_TYPES[type];
}

/** A description's inputs or outputs, evaluating the expression form with the node's parameters. */
function connectionTypes(
	value: INodeTypeDescription['inputs'] | INodeTypeDescription['outputs'],
	parameters: IDataObject,
): Array<{ type: string }> {
	let list: unknown = value;
	if (typeof value === 'string') {
		const body = value.replace(/^=\{\{/, '').replace(/\}\}$/, '');
		list = new Function('$parameter', `return (${body});`)(parameters);
	}
	return (list as unknown[]).map((c) =>
		typeof c === 'string' ? { type: c } : (c as { type: string }),
	);
}

function countByType(list: Array<{ type: string }>): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const { type } of list) counts[type] = (counts[type] ?? 0) + 1;
	return counts;
}

// ---- the examples ----

interface WorkflowNode extends INode {
	webhookId?: string;
}
interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: IConnections;
	settings: IDataObject;
	pinData?: IDataObject;
}
interface Example {
	file: string;
	text: string;
	workflow: Workflow;
}

const files = readdirSync(EXAMPLES)
	.filter((f) => f.endsWith('.json'))
	.sort();
const examples: Example[] = files.map((file) => {
	const text = readFileSync(join(EXAMPLES, file), 'utf8');
	return { file, text, workflow: JSON.parse(text) as Workflow };
});

const isOurs = (node: INode, name?: string) =>
	node.type.startsWith(`${PACKAGE}.`) && (name === undefined || node.type === `${PACKAGE}.${name}`);
const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');
const isCadenceSide = (w: Workflow) => w.nodes.some((n) => isOurs(n, 'followUpTrigger'));

/** Parameters as n8n resolves them at run time: defaults filled in, hidden ones dropped. */
function resolved(node: INode, description: INodeTypeDescription): INodeParameters {
	return NodeHelpers.getNodeParameters(
		description.properties,
		node.parameters,
		true,
		false,
		node,
		description,
	)!;
}

/** Where each node's outputs go: [target, connection type, output index]. */
function linksFrom(workflow: Workflow, name: string) {
	const links: Array<{ to: string; type: string; output: number }> = [];
	for (const [type, outputs] of Object.entries(workflow.connections[name] ?? {})) {
		(outputs ?? []).forEach((targets, output) => {
			for (const t of targets ?? []) links.push({ to: t.node, type, output });
		});
	}
	return links;
}

function mainTargets(workflow: Workflow, name: string, output?: number): string[] {
	return linksFrom(workflow, name)
		.filter((l) => l.type === 'main' && (output === undefined || l.output === output))
		.map((l) => l.to);
}

/** Every node reachable from `start` by main connections, `start` included. */
function reachable(workflow: Workflow, start: string): Set<string> {
	const seen = new Set<string>([start]);
	const queue = [start];
	while (queue.length > 0) {
		for (const next of mainTargets(workflow, queue.shift()!)) {
			if (!seen.has(next)) {
				seen.add(next);
				queue.push(next);
			}
		}
	}
	return seen;
}

const nodeNamed = (workflow: Workflow, name: string) =>
	workflow.nodes.find((n) => n.name === name)!;

/** The AI sub-nodes feeding a node (chat model, memory). */
const subNodesOf = (workflow: Workflow, name: string) =>
	workflow.nodes.filter((n) =>
		linksFrom(workflow, n.name).some((l) => l.to === name && l.type !== 'main'),
	);

// ---- parameters against a description ----

/**
 * Every parameter set on a node must be one its description has, shown for the node's other
 * values (what n8n would otherwise drop on save), with a value of the right kind and, for
 * options, one of the choices. Collections and fixed collections are walked.
 */
function parameterProblems(node: INode, description: INodeTypeDescription): string[] {
	const root = resolved(node, description);
	const problems: string[] = [];
	const walk = (properties: INodeProperties[], values: IDataObject, path: string) => {
		for (const [key, value] of Object.entries(values)) {
			const where = path ? `${path}.${key}` : key;
			const candidates = properties.filter((p) => p.name === key);
			if (candidates.length === 0) {
				problems.push(`${where}: not a parameter of ${description.displayName}`);
				continue;
			}
			const shown = candidates.filter((p) =>
				path
					? NodeHelpers.displayParameterPath(root, p, path, node, description)
					: NodeHelpers.displayParameter(root, p, node, description),
			);
			if (shown.length === 0) {
				problems.push(`${where}: hidden by the other parameters, so n8n would drop it`);
				continue;
			}
			const property = shown[0];
			if (isExpression(value)) continue;
			problems.push(...valueProblems(property, value, where, walk));
		}
	};
	walk(description.properties, node.parameters as IDataObject, '');
	return problems;
}

type Walk = (properties: INodeProperties[], values: IDataObject, path: string) => void;

function valueProblems(property: INodeProperties, value: unknown, where: string, walk: Walk) {
	const problems: string[] = [];
	const choices = (property.options ?? []).map((o) => (o as { value?: unknown }).value);
	switch (property.type) {
		case 'options':
			if (!choices.includes(value as never))
				problems.push(`${where}: ${JSON.stringify(value)} is not a choice`);
			break;
		case 'multiOptions':
			for (const v of value as unknown[])
				if (!choices.includes(v as never))
					problems.push(`${where}: ${JSON.stringify(v)} is not a choice`);
			break;
		case 'boolean':
		case 'number':
			if (typeof value !== property.type) problems.push(`${where}: should be a ${property.type}`);
			break;
		case 'string':
		case 'dateTime':
			if (typeof value !== 'string') problems.push(`${where}: should be text`);
			break;
		case 'notice':
			problems.push(`${where}: a notice holds no value`);
			break;
		case 'resourceLocator': {
			const rl = value as { __rl?: boolean; mode?: string; value?: unknown };
			const modes = (property.modes ?? []).map((m) => m.name);
			if (rl.__rl !== true || !modes.includes(rl.mode ?? ''))
				problems.push(`${where}: use { __rl: true, mode: ${modes.join('|')}, value }`);
			break;
		}
		case 'collection':
			walk(property.options as INodeProperties[], value as IDataObject, where);
			break;
		case 'fixedCollection':
			for (const [group, entries] of Object.entries(value as IDataObject)) {
				const option = (property.options as INodePropertyCollection[]).find(
					(o) => o.name === group,
				);
				if (!option) {
					problems.push(`${where}.${group}: not a group of ${property.displayName}`);
					continue;
				}
				const multiple = property.typeOptions?.multipleValues === true;
				if (multiple !== Array.isArray(entries))
					problems.push(`${where}.${group}: ${multiple ? 'a list of rows' : 'one row'} expected`);
				const rows = [entries].flat() as IDataObject[];
				rows.forEach((row, i) =>
					walk(option.values, row, multiple ? `${where}.${group}[${i}]` : `${where}.${group}`),
				);
			}
			break;
	}
	return problems;
}

// ---- the cadences the Follow-up Triggers hold ----

interface Cadence {
	file: string;
	node: INode;
	/** Null when the parameters do not make a valid cadence; `problems` says why. */
	definition: CadenceDefinition | null;
	problems: string[];
	sandboxVariables: Record<string, string>;
}

/** The cadence a Follow-up Trigger holds, read the way the trigger reads it on activation. */
function cadenceOf(example: Example, node: INode): Cadence {
	const cadence: Cadence = {
		file: example.file,
		node,
		definition: null,
		problems: [],
		sandboxVariables: {},
	};
	const description = OUR_TYPES[node.type]?.description;
	if (!description) return { ...cadence, problems: [`${node.type} is not registered`] };
	const parameters = resolved(node, description);
	const read = (name: string, fallback: unknown) => parameters[name] ?? fallback;
	const parsed = cadenceDefinitionSchema.safeParse(definitionFromParameters(read, 'UTC').input);
	if (!parsed.success) {
		cadence.problems = toProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
		return cadence;
	}
	try {
		cadence.sandboxVariables = readSettings(node, read).sandbox.variables;
	} catch (error) {
		cadence.problems = [(error as Error).message];
		return cadence;
	}
	return { ...cadence, definition: parsed.data };
}

const cadences: Cadence[] = examples.flatMap((example) =>
	example.workflow.nodes
		.filter((n) => isOurs(n, 'followUpTrigger'))
		.map((node) => cadenceOf(example, node)),
);

/** Enroll In Cadence nodes across all examples: the cadence they name, the variables they set. */
const enrollments = examples.flatMap(({ file, workflow }) =>
	workflow.nodes
		.filter((n) => isOurs(n, 'enrollInCadence'))
		.map((node) => {
			const locator = node.parameters.cadence as { value: string };
			const rows = ((node.parameters.variables as IDataObject)?.variable ?? []) as IDataObject[];
			return { file, node, cadence: locator.value, variables: rows.map((r) => String(r.name)) };
		}),
);

// ---- the tests ----

describe('the examples folder', () => {
	it('holds the templates the issue asks for, each a workflow file', () => {
		expect(files.length).toBeGreaterThanOrEqual(5);
		for (const prefix of ['01-', '02-', '03-', '04-', '05-'])
			expect(files.some((f) => f.startsWith(prefix))).toBe(true);
	});

	it('gives every workflow a unique id, name and webhook path', () => {
		const ids = examples.map((e) => e.workflow.id);
		const names = examples.map((e) => e.workflow.name);
		expect(new Set(ids).size).toBe(ids.length);
		expect(new Set(names).size).toBe(names.length);
		const webhooks = examples.flatMap((e) => e.workflow.nodes.filter((n) => n.webhookId));
		const webhookIds = webhooks.map((n) => n.webhookId);
		expect(new Set(webhookIds).size).toBe(webhookIds.length);
		const paths = webhooks.filter((n) => n.parameters.path).map((n) => n.parameters.path);
		expect(new Set(paths).size).toBe(paths.length);
	});

	it('gives every cadence a unique name, and every Enroll In Cadence names one of them', () => {
		const names = cadences.map((c) => String(c.node.parameters.cadenceName).trim());
		expect(new Set(names).size).toBe(names.length);
		for (const e of enrollments) expect(names).toContain(e.cadence);
		for (const name of names) expect(enrollments.map((e) => e.cadence)).toContain(name);
	});

	it('describes every file in examples/README.md', () => {
		const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
		for (const file of files) expect(readme).toContain(file);
	});
});

describe.each(examples.map((e) => [e.file, e] as const))('%s', (_file, { text, workflow }) => {
	it('is an importable workflow: id, name, nodes, connections, settings, inactive', () => {
		expect(workflow.id).toMatch(/^[A-Za-z0-9]{1,21}$/);
		expect(workflow.name.length).toBeGreaterThan(5);
		expect(Array.isArray(workflow.nodes)).toBe(true);
		expect(typeof workflow.connections).toBe('object');
		expect(workflow.settings).toMatchObject({ executionOrder: 'v1' });
		expect(workflow.active).toBe(false);
		expect(text.endsWith('\n')).toBe(true);
	});

	it('has nodes with unique names and ids, each of a known type and version', () => {
		const names = workflow.nodes.map((n) => n.name);
		const ids = workflow.nodes.map((n) => n.id);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(ids).size).toBe(ids.length);
		for (const node of workflow.nodes) {
			const facts = typeFacts(node.type);
			const known = facts
				? 'known'
				: isOurs(node)
					? 'not registered in package.json n8n.nodes'
					: 'not a node type the templates are checked for';
			expect({ node: node.name, type: node.type, known }).toEqual({
				node: node.name,
				type: node.type,
				known: 'known',
			});
			expect(facts!.versions).toContain(node.typeVersion);
			expect(node.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
		}
	});

	it('lays the nodes out on the grid without overlaps, and explains itself in sticky notes', () => {
		const placed = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
		for (const node of workflow.nodes) {
			expect(node.position.every((v) => Number.isInteger(v / GRID))).toBe(true);
		}
		// What the editor draws for each node (the browser suite measures the real thing).
		const boxes = placed.map((n) => ({ name: n.name, ...drawnBox(n) }));
		const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		const noteBoxes = notes.map((n) => ({ name: n.name, ...noteBox(n) }));
		for (const [i, a] of boxes.entries()) {
			for (const b of boxes.slice(i + 1)) {
				expect({ a: a.name, b: b.name, apart: !boxesOverlap(a, b) }).toEqual({
					a: a.name,
					b: b.name,
					apart: true,
				});
			}
			// A note is either around a node or clear of it.
			for (const note of noteBoxes) {
				const clear = !boxesOverlap(a, note) || boxInside(a, note);
				expect({ node: a.name, note: note.name, clear }).toEqual({
					node: a.name,
					note: note.name,
					clear: true,
				});
			}
		}
		expect(notes.length).toBeGreaterThanOrEqual(1);
		for (const note of notes) expect(String(note.parameters.content).length).toBeGreaterThan(100);
	});

	it('sets only parameters our nodes have, with valid values and every required one', () => {
		for (const node of workflow.nodes.filter((n) => isOurs(n) && OUR_TYPES[n.type])) {
			const description = OUR_TYPES[node.type].description!;
			expect({ node: node.name, problems: parameterProblems(node, description) }).toEqual({
				node: node.name,
				problems: [],
			});
			const issues = NodeHelpers.getNodeParametersIssues(
				description.properties,
				{ ...node, parameters: resolved(node, description) },
				description,
			);
			expect({ node: node.name, issues }).toEqual({ node: node.name, issues: null });
		}
	});

	it('connects existing nodes, by outputs they have, to inputs they accept', () => {
		const names = new Set(workflow.nodes.map((n) => n.name));
		for (const [from, byType] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			const source = nodeNamed(workflow, from);
			const facts = typeFacts(source.type);
			if (!facts) continue;
			const description = facts.description;
			const parameters = description ? resolved(source, description) : source.parameters;
			const outputs = facts.outputs(parameters as IDataObject);
			for (const [type, list] of Object.entries(byType)) {
				expect({ from, type, outputs: list.length <= (outputs[type] ?? 0) }).toEqual({
					from,
					type,
					outputs: true,
				});
				for (const target of list.flat()) {
					expect(names.has(target!.node)).toBe(true);
					expect(target!.type).toBe(type);
					expect(target!.index).toBe(0);
					const accepts = typeFacts(nodeNamed(workflow, target!.node).type)?.inputs ?? [type];
					expect({ to: target!.node, accepts: accepts.includes(type) }).toEqual({
						to: target!.node,
						accepts: true,
					});
				}
			}
		}
	});

	it('references credentials only as placeholders, of types the nodes use, and holds no secrets', () => {
		for (const node of workflow.nodes) {
			const declared = typeFacts(node.type)?.credentials ?? [];
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				expect(declared).toContain(type);
				expect(reference).toEqual({ id: PLACEHOLDER_ID, name: expect.any(String) });
				expect(reference.name.length).toBeGreaterThan(0);
			}
			// The cadence store needs no credential: SQLite in the n8n folder by default. The one
			// credential this package's nodes carry is the dashboard's login, as a placeholder.
			if (isOurs(node))
				expect(Object.keys(node.credentials ?? {})).toEqual(
					isOurs(node, 'cadenceDashboard') ? [DASHBOARD_LOGIN] : [],
				);
			// Never served without a login: the dashboard keeps its default, Basic Auth.
			if (isOurs(node, 'cadenceDashboard'))
				expect(node.parameters.authentication ?? 'basicAuth').toBe('basicAuth');
		}
		expect(text).not.toMatch(
			/sk-[A-Za-z0-9_-]{16,}|xox[abp]-|AKIA[0-9A-Z]{16}|-----BEGIN|"password"/,
		);
	});

	it('runs or activates right after import, before any credential is set', () => {
		const enabled = workflow.nodes.filter((n) => !n.disabled);
		// Every trigger that would start with the workflow needs no credential. The dashboard's
		// login is read on each request, not on activation: until a real one is picked, the page
		// answers 401 to everyone (test/e2e/templates.test.ts).
		for (const node of enabled.filter((n) => typeFacts(n.type)?.trigger)) {
			const credentials = { ...node.credentials };
			if (isOurs(node, 'cadenceDashboard')) delete credentials[DASHBOARD_LOGIN];
			expect({ trigger: node.name, credentials }).toEqual({ trigger: node.name, credentials: {} });
		}
		// A sample pinned on a trigger is what "Execute workflow" runs it with (editor runs only).
		const pinned = Object.keys(workflow.pinData ?? {});
		for (const name of pinned)
			expect({ pinned: name, trigger: typeFacts(nodeNamed(workflow, name).type)?.trigger }).toEqual(
				{ pinned: name, trigger: true },
			);
		const starts = enabled.filter(
			(n) =>
				isOurs(n, 'followUpTrigger') ||
				n.type === 'n8n-nodes-base.manualTrigger' ||
				pinned.includes(n.name),
		);
		expect(starts.length).toBeGreaterThan(0);
		// What runs from them needs no credential either; a chat model or memory on one of this
		// package's nodes may stay a placeholder, because those nodes fall back without it.
		for (const start of starts) {
			for (const name of reachable(workflow, start.name)) {
				const node = nodeNamed(workflow, name);
				if (node.disabled) continue;
				expect({ node: name, credentials: node.credentials }).toEqual({
					node: name,
					credentials: undefined,
				});
				for (const sub of subNodesOf(workflow, name).filter((s) => !s.disabled && s.credentials))
					expect({ subNode: sub.name, feeds: node.type.startsWith(`${PACKAGE}.`) }).toEqual({
						subNode: sub.name,
						feeds: true,
					});
			}
		}
	});
});

const cadenceWorkflows = examples.filter((e) => isCadenceSide(e.workflow));

describe.each(cadenceWorkflows.map((e) => [e.file, e] as const))(
	'%s (cadence side)',
	(file, { workflow }) => {
		const trigger = workflow.nodes.find((n) => isOurs(n, 'followUpTrigger'))!;
		const cadence = cadences.find((c) => c.file === file && c.node.name === trigger.name)!;
		/** The valid definition; the first test below reports it when there is none. */
		const definition = (): CadenceDefinition => {
			if (!cadence.definition) throw new Error('not a valid cadence, see the test above');
			return cadence.definition;
		};
		const only = (name: string, output: number, type: string) => {
			const targets = mainTargets(workflow, name, output);
			expect(targets).toHaveLength(1);
			expect(nodeNamed(workflow, targets[0]).type).toBe(`${PACKAGE}.${type}`);
			return targets[0];
		};

		/** The gates of the canvas flow, each the only target of the one before. */
		const flow = () => {
			const exit = only(trigger.name, 0, 'exitCheck');
			const hours = only(exit, 0, 'waitUntilWorkingHours');
			const compose = only(hours, 0, 'composeFollowUp');
			return { exit, hours, compose };
		};
		const isMarkSent = (n: INode) => isOurs(n, 'cadence') && n.parameters.operation === 'markSent';

		it('holds a valid cadence in its Follow-up Trigger (the engine schema)', () => {
			expect(cadence.problems).toEqual([]);
		});

		it('follows the canvas flow: trigger → Exit Check → Wait Until Working Hours → Compose', () => {
			const { exit, hours } = flow();
			expect(mainTargets(workflow, exit, 1)).toHaveLength(1);
			expect(mainTargets(workflow, hours, 1)).toHaveLength(1);
		});

		it('ends every branch in Cadence: Mark Sent or in a No-Op that says why', () => {
			for (const name of reachable(workflow, trigger.name)) {
				const node = nodeNamed(workflow, name);
				if (mainTargets(workflow, name).length > 0) continue;
				const end = node.type === 'n8n-nodes-base.noOp' || isMarkSent(node);
				expect({ leaf: name, end }).toEqual({ leaf: name, end: true });
			}
			for (const send of workflow.nodes.filter((n) => SEND_TYPES.includes(n.type))) {
				const next = mainTargets(workflow, send.name).map((t) => nodeNamed(workflow, t));
				const confirmed = next.some((n) => isMarkSent(n) || isOurs(n, 'awaitApproval'));
				expect({ send: send.name, confirmed }).toEqual({ send: send.name, confirmed: true });
			}
		});

		it('keeps channel nodes off until a credential is picked, with a note saying so', () => {
			const sends = workflow.nodes.filter((n) => SEND_TYPES.includes(n.type));
			expect(sends.length).toBeGreaterThan(0);
			for (const send of sends)
				expect({ send: send.name, disabled: send.disabled }).toEqual({
					send: send.name,
					disabled: true,
				});
			const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
			expect(
				notes.some((n) => /switch(ed)? (it |them )?on/i.test(String(n.parameters.content))),
			).toBe(true);
		});

		it('routes AI-assisted drafts through Await Approval, and approved ones on to Mark Sent', () => {
			const approval = mainTargets(workflow, flow().compose, 1);
			const assisted = definition().steps.some((s) => s.composeMode === 'aiAssisted');
			if (!assisted) return expect(approval).toHaveLength(0);
			expect(approval).toHaveLength(1);
			const waits = [...reachable(workflow, approval[0])].filter((n) =>
				isOurs(nodeNamed(workflow, n), 'awaitApproval'),
			);
			expect(waits.length).toBeGreaterThan(0);
			for (const wait of waits) {
				// Approved, Discarded and Timed Out each lead somewhere visible.
				for (const output of [0, 1, 2])
					expect(mainTargets(workflow, wait, output).length).toBeGreaterThan(0);
				const afterApproval = mainTargets(workflow, wait, 0).flatMap((t) => [
					...reachable(workflow, t),
				]);
				expect(afterApproval.some((n) => isMarkSent(nodeNamed(workflow, n)))).toBe(true);
			}
		});

		it('gives every AI step an instruction and every step a good fallback text', () => {
			const texts = definition().steps.map((s) => s.staticText.trim());
			expect(new Set(texts).size).toBe(texts.length);
			for (const step of definition().steps) {
				expect(step.staticText.trim().length).toBeGreaterThan(40);
				if (step.composeMode !== 'static')
					expect(step.instruction.trim().length).toBeGreaterThan(20);
				if (step.channel === 'sms') {
					const { text } = renderTemplate(step.staticText, cadence.sandboxVariables);
					expect(text.length).toBeLessThanOrEqual(160);
				}
				if (step.channel === 'whatsapp') expect(step.whatsappTemplate).toMatch(/^[a-z0-9_]+$/);
			}
		});

		it('fills every variable of the fallback texts, when enrolled and in the preview', () => {
			const enrolled = enrollments.filter((e) => e.cadence === definition().name);
			for (const step of definition().steps) {
				for (const e of enrolled) {
					const given = Object.fromEntries(e.variables.map((v) => [v, 'x']));
					expect({
						step: step.name,
						by: e.node.name,
						missing: renderTemplate(step.staticText, given).missing,
					}).toEqual({
						step: step.name,
						by: e.node.name,
						missing: [],
					});
				}
				expect(renderTemplate(step.staticText, cadence.sandboxVariables).missing).toEqual([]);
			}
		});

		it('previews a step for the sandbox contact (Test step in the editor)', async () => {
			const description = OUR_TYPES[trigger.type].description!;
			const parameters = resolved(trigger, description);
			const settings = readSettings(trigger, (name, fallback) => parameters[name] ?? fallback);
			const item = await previewItem(
				trigger,
				definition(),
				settings,
				Date.parse('2026-03-02T10:00:00Z'),
			);
			expect(item.json).toMatchObject({ preview: true, cadence: definition().name });
		});
	},
);
