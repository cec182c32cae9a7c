import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { N8nInstance, type CreatedWorkflow, withLogsOf } from './support/n8n-instance';
import { cadenceType, code, manualTrigger, node, workflow } from './support/workflows';

/**
 * The package and its templates in one real n8n (regular mode, the embedded SQLite store): first
 * the package as installed (its files, n8n's node list, a headless run), then every template of
 * examples/ imported, activated and run. The package part goes first: it checks that n8n printed
 * no error about the package, before any template runs.
 */
let n8n: N8nInstance;
/** A failing test shows what n8n printed. */
const withLogs = withLogsOf(() => n8n);

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'package-templates' });
});

afterAll(async () => {
	await n8n?.stop();
});

describe('the package as a self-hoster installs it', () => {
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
});

describe('every template imported, activated and run headless', () => {
	/**
	 * Every template of examples/ in one real n8n, as a user imports them: each workflow whose enabled
	 * trigger needs no credential (Follow-up Triggers, webhooks, the schedule) activates without an
	 * activation error, and each workflow with a Manual Trigger runs headless (`n8n execute`) without
	 * an error, its disabled credential nodes and placeholder-credential sub-nodes notwithstanding.
	 */
	const EXAMPLES = join(__dirname, '..', '..', 'examples');
	const files = readdirSync(EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.sort();

	interface TemplateNode {
		name: string;
		type: string;
		disabled?: boolean;
	}
	interface Template {
		name: string;
		nodes: TemplateNode[];
	}

	const template = (file: string): Template =>
		JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Template;

	/** A trigger that is on and is not a manual one: what activation starts. */
	const isLiveTrigger = (n: TemplateNode) =>
		!n.disabled &&
		n.type !== 'n8n-nodes-base.manualTrigger' &&
		(/trigger$/i.test(n.type) || n.type === 'n8n-nodes-base.webhook');
	const hasManualTrigger = (t: Template) =>
		t.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger' && !n.disabled);

	/** Cadences first: enrolling (the manual runs) needs their cadences published. */
	const activateOrder = [
		...files.filter((f) => f.includes('.cadence.')),
		...files.filter((f) => !f.includes('.cadence.')),
	].filter((f) => template(f).nodes.some(isLiveTrigger));
	const runnable = files.filter((f) => hasManualTrigger(template(f)));

	const created = new Map<string, CreatedWorkflow>();

	beforeAll(async () => {
		for (const file of files) created.set(file, await n8n.createFromFile(join(EXAMPLES, file)));
	});

	afterAll(async () => {
		for (const file of activateOrder) {
			const wf = created.get(file);
			if (wf) await n8n?.deactivate(wf.id).catch(() => undefined);
		}
	});

	test('the template list is what the README describes', () => {
		expect(files).toHaveLength(12);
		// The README's "activate" and "run" lists.
		expect(activateOrder.sort()).toEqual(
			[
				'01-chat-inactivity.cadence.json',
				'02-prospecting.cadence.json',
				'03-busy-later-stop.cadence.json',
				'03-busy-later-stop.conversation.json',
				'04-unpaid-invoices.cadence.json',
				'04-unpaid-invoices.events.json',
				'05-session-check-in.cadence.json',
				'05-session-check-in.conversation.json',
				'06-dashboard.json',
				'07-live-chat-to-sms.cadence.json',
			].sort(),
		);
		// 03, 04 and 05 pin their sample on the webhook, 06 on its schedule, instead (run in
		// browser.test.ts: `n8n execute` starts only from a Manual Trigger and does not use
		// pinned data).
		expect(runnable.sort()).toEqual(
			['01-chat-inactivity.conversation.json', '02-prospecting.enroll.json'].sort(),
		);
		for (const file of files) expect(created.get(file)?.id).toBeTruthy();
	});

	test(
		'every workflow with a credential-free trigger activates without an activation error',
		withLogs(async () => {
			// Same order as the README asks: cadences, then what feeds them.
			const order = [
				...activateOrder.filter((f) => f.includes('.cadence.')),
				...activateOrder.filter((f) => !f.includes('.cadence.')),
			];
			const failures: string[] = [];
			for (const file of order) {
				const wf = created.get(file)!;
				try {
					await n8n.activate(wf.id);
				} catch (error) {
					failures.push(`${file}: ${(error as Error).message}`);
				}
			}
			expect(failures).toEqual([]);
			for (const file of order) {
				const wf = created.get(file)!;
				const state = await n8n.api<{ active: boolean }>('GET', `/workflows/${wf.id}`);
				expect([file, state.active]).toEqual([file, true]);
				// n8n keeps the error of a trigger that failed to start (also after a start-up retry).
				const activationError = await n8n.rest<unknown>(
					'GET',
					`/rest/active-workflows/error/${wf.id}`,
				);
				expect([file, activationError ?? null]).toEqual([file, null]);
			}
			expect(n8n.logLines(/activation error|could not be activated|problem activating/i)).toEqual(
				[],
			);
		}),
	);

	test(
		'the published dashboard stays closed until its placeholder login is replaced',
		withLogs(async () => {
			// Activated by the test above; its Basic Auth credential is the template's placeholder.
			const url = `${n8n.url}/webhook/follow-ups`;
			const someone = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
			for (const authorization of [undefined, someone]) {
				const res = await fetch(url, { headers: authorization ? { authorization } : {} });
				const page = await res.text();
				expect([authorization ?? 'no login', res.status]).toEqual([
					authorization ?? 'no login',
					401,
				]);
				expect(page).toContain('This dashboard has no login yet');
			}
		}),
	);

	test(
		'every workflow with a Manual Trigger runs headless without an error',
		withLogs(async () => {
			const failures: string[] = [];
			for (const file of runnable) {
				const wf = created.get(file)!;
				try {
					const run = await n8n.executeCli(wf.id);
					const error = run.resultData.error;
					if (error) failures.push(`${file}: ${error.message} (${error.node?.name ?? '?'})`);
					// Every main node that ran did so without an error; the placeholder-credential
					// sub-nodes (chat models, chat memories) fail by design and are not main nodes.
					const ran = Object.keys(run.resultData.runData);
					expect([file, ran.length > 1]).toEqual([file, true]);
					for (const [name, runs] of Object.entries(run.resultData.runData)) {
						const node = template(file).nodes.find((n) => n.name === name);
						if (!node || /lmChat|memory/i.test(node.type)) continue;
						for (const r of runs)
							if (r.error) failures.push(`${file}: ${name}: ${r.error.message}`);
					}
				} catch (error) {
					failures.push(`${file}: ${(error as Error).message.slice(0, 1500)}`);
				}
			}
			expect(failures).toEqual([]);
		}),
	);
});
