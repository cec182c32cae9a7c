import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { N8nInstance } from './support/n8n-instance';
import { cadenceType, code, manualTrigger, node, workflow } from './support/workflows';

/**
 * The package as a self-hoster gets it: `npm pack` output unpacked under .n8n/nodes/node_modules
 * with only its runtime dependencies, found by a real n8n at start-up.
 */
const ROOT = join(__dirname, '..', '..');
const packageJson = require(join(ROOT, 'package.json')) as {
	name: string;
	dependencies: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
};

/**
 * The type names n8n should list for the built classes: each class's `name`, plus the AI tool
 * variant n8n generates (`<name>Tool`) for nodes that are usable as tools.
 */
function expectedTypeNames(files: string[]): string[] {
	return files.flatMap((file) => {
		const loaded = require(join(ROOT, file)) as Record<string, new () => any>;
		const instance = new loaded[basename(file).split('.')[0]]();
		const description = instance.description ?? instance;
		return description.usableAsTool
			? [description.name, `${description.name}Tool`]
			: [description.name];
	});
}

let n8n: N8nInstance;

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'package' });
});

afterAll(async () => {
	await n8n?.stop();
});

test('only dist/, the docs and the runtime dependencies are installed', () => {
	const installed = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', packageJson.name);
	expect(readdirSync(installed).sort()).toEqual(
		['LICENSE', 'README.md', 'dist', 'node_modules', 'package.json'].sort(),
	);
	const modules = readdirSync(join(installed, 'node_modules')).filter((m) => !m.startsWith('.'));
	for (const dependency of Object.keys(packageJson.dependencies)) {
		expect(modules).toContain(dependency);
	}
	// No devDependency came along (n8n drops them from package.json before installing).
	expect(modules).not.toContain('n8n-workflow');
	expect(modules).not.toContain('jest');
});

test('every node and credential in package.json shows in n8n, without load errors', async () => {
	const nodes =
		await n8n.authenticatedGet<Array<{ name: string; iconUrl?: unknown }>>('/types/nodes.json');
	const credentials =
		await n8n.authenticatedGet<Array<{ name: string }>>('/types/credentials.json');
	const ours = nodes.filter((n) => n.name.startsWith(`${packageJson.name}.`)).map((n) => n.name);
	const expected = expectedTypeNames(packageJson.n8n.nodes).map(cadenceType);
	expect(expected.length).toBeGreaterThanOrEqual(packageJson.n8n.nodes.length);
	expect([...new Set(ours)].sort()).toEqual(expected.sort());
	expect(credentials.map((c) => c.name)).toEqual(
		expect.arrayContaining(expectedTypeNames(packageJson.n8n.credentials)),
	);
	expect(n8n.logLines(/n8n-nodes-cadence/i).filter((l) => /error|fail/i.test(l))).toEqual([]);
});

test('a node of the package runs headless (`n8n execute`) with its own dependencies', async () => {
	// Simulate needs no store and uses luxon and zod from the package's own node_modules.
	const simulate = node('Simulate', cadenceType('cadence'), {
		resource: 'simulation',
		operation: 'simulate',
		cadenceSource: 'json',
		definition: JSON.stringify({
			name: 'Smoke',
			steps: [
				{ wait: { amount: 1, unit: 'days' }, staticText: 'Hi {{firstName}}' },
				{ wait: { amount: 2, unit: 'days' }, staticText: 'Still there, {{firstName}}?' },
			],
		}),
		contactName: 'Ada',
		variables: { variable: [{ name: 'firstName', value: 'Ada' }] },
	});
	const created = await n8n.createWorkflow(
		workflow(
			'Smoke: simulate',
			[manualTrigger(), code('Start', 'return [{ json: {} }];'), simulate],
			[
				['Manual Trigger', 'Start'],
				['Start', 'Simulate'],
			],
		),
	);
	const run = await n8n.executeCli(created.id);
	expect(run.resultData.error).toBeUndefined();
	const items = run.resultData.runData.Simulate[0].data!.main[0]!.map((i) => i.json);
	expect(items.map((i) => [i.type, i.step])).toEqual([
		['enrolled', null],
		['send', 1],
		['send', 2],
		['completed', null],
	]);
	// Step 2 waits two days from step 1, which waited one day from enrollment.
	const sendTimes = items.filter((i) => i.type === 'send').map((i) => Date.parse(i.at));
	expect(sendTimes[1] - sendTimes[0]).toBe(2 * 24 * 3600_000);
});
