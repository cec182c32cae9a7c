import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Editor } from './support/browser';
import { waitFor } from './support/environment';
import { N8nInstance } from './support/n8n-instance';
import {
	cadenceWorkflow,
	enrollInCadence,
	manualTrigger,
	node,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * The first minutes of a person building on the canvas, in a real browser: signing in, finding
 * every node of the package in the node panel (by its name and by the words people type, from an
 * empty canvas and from the "+" after a node), and picking a cadence on Enroll In Cadence from
 * the list with no credential (the default SQLite store needs none), its canvas subtitle naming it,
 * and Cadence → Simulate showing the text the contact would get and times on the cadence's clock.
 */
const ROOT = join(__dirname, '..', '..');

/** Display names of the package's nodes, from the built node descriptions' sources. */
const NODES: string[] = (
	JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }
).n8n.nodes.map((distPath) => {
	const source = readFileSync(
		join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts')),
		'utf8',
	);
	return /displayName: '([^']+)'/.exec(source)![1];
});

/** What a user types, and the nodes each word must bring up (every node for the package's words). */
const WORDS: Record<string, string[]> = {
	compose: ['Compose Follow-up'],
	'follow up': NODES,
	approval: ['Await Approval'],
	reply: ['Record Reply'],
	'working hours': ['Wait Until Working Hours'],
	enroll: ['Enroll In Cadence'],
	cadence: NODES,
};

const CADENCE = 'Browser picker cadence';

let n8n: N8nInstance;
let editor: Editor;

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'browser-editor' });
	// A published cadence for the picker to list.
	const cadence = await n8n.createWorkflow(
		cadenceWorkflow({
			name: CADENCE,
			steps: [{ wait: 1, text: 'Hi {{firstName}}, still there?' }],
			sendingWindow: { timeZone: 'America/Chicago' },
		}),
	);
	await n8n.activate(cadence.id).catch((error: Error) => {
		throw n8n.withLogs(error);
	});
	editor = await Editor.launch(n8n, 'editor');
}, 420_000);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
});

test('signs in as the instance owner', async () => {
	await editor.step('sign in', async () => {
		await editor.signIn();
		await editor.page.getByTestId('main-sidebar-settings').waitFor();
	});
});

/** Searches each term and reports which expected nodes were missing from the results. */
async function missingFromSearch(where: string): Promise<string[]> {
	const missing: string[] = [];
	// n8n's own node as a control: the search works at all from here.
	const control = await editor.searchNodePanel('Schedule');
	if (!control.includes('Schedule Trigger')) missing.push(`${where}: control "Schedule Trigger"`);
	const searches: Array<[string, string[]]> = [
		...NODES.map((name): [string, string[]] => [name, [name]]),
		...Object.entries(WORDS),
	];
	for (const [term, expected] of searches) {
		const found = await editor.searchNodePanel(term);
		for (const name of expected) {
			if (!found.includes(name))
				missing.push(`${where}: "${term}" does not list ${name} (lists: ${found.join(', ')})`);
		}
	}
	return missing;
}

test('the node panel finds every node by its name and by the words people type (empty canvas)', async () => {
	await editor.step('search from the empty canvas', async () => {
		await editor.newWorkflow();
		await editor.openNodePanelOnEmptyCanvas();
		expect(await missingFromSearch('empty canvas')).toEqual([]);
		await editor.closeNodePanel();
	});
});

test('the node panel finds every node by its name and by the words people type ("+" after a node)', async () => {
	const wf = await n8n.createWorkflow(workflow('Search after a node', [manualTrigger()], []));
	await editor.step('search from the + after a node', async () => {
		await editor.openWorkflow(wf.id);
		await editor.openNodePanelAfter('Manual Trigger');
		expect(await missingFromSearch('after Manual Trigger')).toEqual([]);
		await editor.closeNodePanel();
	});
});

test('Enroll In Cadence lists the published cadences with no credential, and its subtitle names the one picked', async () => {
	const blank = node('Enroll In Cadence', 'n8n-nodes-cadence.enrollInCadence', {});
	const byName = enrollInCadence(CADENCE, 'Enroll by name');
	const json: WorkflowJson = workflow(
		'Pick a cadence',
		[manualTrigger(), blank, byName],
		[
			['Manual Trigger', 'Enroll In Cadence'],
			['Manual Trigger', 'Enroll by name'],
		],
	);
	byName.position = [220, 200];
	const wf = await n8n.createWorkflow(json);
	await editor.step('cadence picker', async () => {
		await editor.openWorkflow(wf.id);
		// A cadence given by name (as in the templates) reads as such on the canvas.
		const named = await editor.canvasNode('Enroll by name').innerText();
		expect(named).toContain(`into ${CADENCE}`);
		expect(named).not.toMatch(/undefined/);
		expect(await editor.canvasNode('Enroll In Cadence').innerText()).not.toMatch(/undefined/);

		await editor.canvasNode('Enroll In Cadence').dblclick();
		const locator = editor.page.getByTestId('resource-locator-cadence');
		await locator.getByTestId('rlc-input').click();
		const item = editor.page.getByTestId('rlc-item').filter({ hasText: CADENCE });
		await item
			.first()
			.waitFor({ timeout: 20_000 })
			.catch(async (error: Error) => {
				const shown = await editor.page.locator('body').innerText();
				const reason = /Could not load list[^\n]*(\n[^\n]*)?/.exec(shown)?.[0];
				throw new Error(`the list does not offer "${CADENCE}"${reason ? `: ${reason}` : ''}`, {
					cause: error,
				});
			});
		await item.first().click();
		await editor.page.getByTestId('ndv-close-button').click();
		await editor.page.getByTestId('ndv').waitFor({ state: 'hidden' });
		const subtitle = await waitFor(
			'the subtitle to name the cadence picked',
			async () => {
				const text = await editor.canvasNode('Enroll In Cadence').innerText();
				return text.includes(`into ${CADENCE}`) ? text : undefined;
			},
			{ timeoutMs: 10_000 },
		).catch(async () => editor.canvasNode('Enroll In Cadence').innerText());
		expect(subtitle).toContain(`into ${CADENCE}`);
	});
});

test('Cadence → Simulate shows the text as it would be sent and the local time next to UTC', async () => {
	const simulate = node('Simulate', 'n8n-nodes-cadence.cadence', {
		resource: 'simulation',
		operation: 'simulate',
		cadenceSource: 'published',
		cadence: { __rl: true, mode: 'name', value: CADENCE },
		contactName: 'Ana Lima',
		variables: { variable: [{ name: 'firstName', value: 'Ana' }] },
		startAt: '2026-03-02T15:00:00Z',
	});
	const wf = await n8n.createWorkflow(
		workflow('Simulate a cadence', [manualTrigger(), simulate], [['Manual Trigger', 'Simulate']]),
	);
	await editor.step('simulate', async () => {
		await editor.openWorkflow(wf.id);
		await editor.page.getByTestId('execute-workflow-button').click();
		await editor.canvasNode('Simulate').getByTestId('canvas-node-status-success').waitFor();
		await editor.canvasNode('Simulate').dblclick();
		const output = editor.page.getByTestId('output-panel');
		await output.getByTestId('radio-button-json').click();
		const shown = await waitFor(
			'the simulated send in the output panel',
			async () => {
				const text = await output.innerText();
				return /"type"/.test(text) && /send/i.test(text) ? text : undefined;
			},
			{ timeoutMs: 20_000 },
		);
		expect(shown).toContain('Hi Ana, still there?');
		expect(shown).not.toContain('{{firstName}}');
		// One day after 15:00 UTC on 2 March 2026 is 09:00 in Chicago (UTC−6), shown beside UTC.
		expect(shown).toContain('America/Chicago');
		expect(shown).toMatch(/2026-03-03T15:00:00(\.000)?Z/);
		expect(shown).toMatch(/Tue 3 Mar 2026, 09:00/);
		await editor.page.getByTestId('ndv-close-button').click();
	});
});
