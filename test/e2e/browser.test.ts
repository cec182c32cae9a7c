import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import {
	BROWSER_TIMEOUT,
	contains,
	Editor,
	importTemplate,
	overlaps,
	readTemplate,
	type NodeBox,
	type TemplateFile,
} from './support/browser';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { N8nInstance, type CreatedWorkflow, type ExecutionSummary } from './support/n8n-instance';
import { Fatal } from './support/processes';
import {
	cadenceWorkflow,
	enrollInCadence,
	manualTrigger,
	node,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * The browser suite: one real n8n and one Chromium (support/browser.ts) for the whole file, signed
 * in once as the instance owner by the first test. Each part has its own cadence names and
 * deactivates its workflows when done.
 */
let n8n: N8nInstance;
let editor: Editor;

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'browser' });
	editor = await Editor.launch(n8n, 'browser');
}, 420_000);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
});

describe('the editor: sign in, the node panel, the cadence picker, Simulate', () => {
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

	beforeAll(async () => {
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
	});

	afterAll(async () => {
		await n8n?.deactivateAll();
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
});

describe('a two-step cadence built by hand', () => {
	/**
	 * A person building a two-step cadence by hand, in a real browser and nothing but the editor:
	 * the Follow-up Trigger added from the node panel, its two steps filled in, the workflow saved and
	 * published; then, in a second workflow, Enroll In Cadence with the cadence picked from the list
	 * (no credential: the default SQLite store needs none), run once for a sample contact. The store
	 * then holds that contact in that cadence, waiting for the first step's wait.
	 */
	const CADENCE = 'Built by hand';
	const CONTACT = 'ana@example.com';
	const FIRST_TEXT = 'Hi {{firstName}}, did you see my message?';
	const SECOND_TEXT = 'Hi {{firstName}}, one last nudge.';

	interface SavedWorkflow {
		id: string;
		active: boolean;
		activeVersionId?: string | null;
		nodes: Array<{ name: string; type: string; parameters: Record<string, unknown> }>;
	}

	beforeAll(async () => {
		// Signed in by the first part, unless that failed.
		await editor.step('sign in', () => editor.signInOnce());
		// Past the first load, anything the editor does takes seconds; fail fast with a screenshot.
		editor.page.setDefaultTimeout(30_000);
	});

	afterAll(async () => {
		editor.page.setDefaultTimeout(BROWSER_TIMEOUT);
		await n8n?.deactivateAll();
	});

	/** The field of a parameter in the open node's panel (the nth, for a step of a collection). */
	const field = (name: string, nth = 0): Locator =>
		editor.page
			.getByTestId('ndv')
			.locator(`[data-test-id="parameter-input-${name}"]`)
			.nth(nth)
			.locator('input, textarea')
			.first();

	async function fill(name: string, value: string, nth = 0): Promise<void> {
		const input = field(name, nth);
		await input.click();
		await input.fill('');
		// Typed as a person types: n8n turns an empty field into an expression when text with {{
		// lands in it at once (a paste), and the message would then be sent as "Hi [undefined]".
		await input.pressSequentially(value);
		await input.press('Tab');
	}

	/** Opens an options parameter's list and picks the option shown as `label`. */
	async function choose(name: string, label: string, nth = 0): Promise<void> {
		await field(name, nth).click();
		await editor.page
			.locator('.el-select-dropdown__item:visible, .el-select-dropdown li:visible')
			// An option's name comes first, then its description.
			.filter({ hasText: new RegExp(`^\\s*${label.replace(/[()]/g, '\\$&')}`) })
			.first()
			.click();
	}

	/** Searches the open node panel and clicks the node listed under that name. */
	async function addFromPanel(name: string): Promise<void> {
		const found = await editor.searchNodePanel(name);
		expect(found).toContain(name);
		await editor.page
			.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]')
			.getByText(name, { exact: true })
			.first()
			.click();
		// A community node first shows its details page, with the button that adds it.
		const ndv = editor.page.getByTestId('ndv');
		const add = editor.page.getByRole('button', { name: 'Add to workflow' });
		await ndv.or(add).first().waitFor();
		if (await add.isVisible()) await add.click();
		await ndv.waitFor();
	}

	async function closeNodePanel(): Promise<void> {
		await editor.page.getByTestId('ndv-close-button').click();
		await editor.page.getByTestId('ndv').waitFor({ state: 'hidden' });
	}

	/**
	 * n8n 2.x saves by itself (no Save button); Ctrl+S saves now. The workflow's id is in the address
	 * the editor moves to once saved.
	 */
	async function save(): Promise<string> {
		await editor.page.keyboard.press('ControlOrMeta+s');
		await editor.page.waitForURL(/\/workflow\/(?!new)[A-Za-z0-9]+/);
		return /\/workflow\/([A-Za-z0-9]+)/.exec(editor.page.url())![1];
	}

	let triggerWorkflowId = '';

	test('builds a two-step cadence with the Follow-up Trigger and publishes it', async () => {
		await editor.step('add the Follow-up Trigger', async () => {
			await editor.newWorkflow();
			await editor.openNodePanelOnEmptyCanvas();
			await addFromPanel('Follow-up Trigger');
		});
		await editor.step('fill the cadence and its two steps', async () => {
			await fill('cadenceName', CADENCE);
			// The node starts with one step; its fields come in the order a person plans it.
			await fill('waitAmount', '1', 0);
			await choose('waitUnit', 'Days', 0);
			await choose('composeMode', 'Message Text (No AI)', 0);
			await fill('staticText', FIRST_TEXT, 0);
			const steps = editor.page.getByTestId('fixed-collection-steps');
			await steps.locator('[data-test-id^="fixed-collection-add"]:visible').first().click();
			await field('waitAmount', 1).waitFor();
			await fill('waitAmount', '2', 1);
			await choose('waitUnit', 'Hours', 1);
			await choose('composeMode', 'Message Text (No AI)', 1);
			await fill('staticText', SECOND_TEXT, 1);
			await closeNodePanel();
		});
		triggerWorkflowId = await editor.step('save', save);
		await editor.step('publish', async () => {
			await editor.page.getByTestId('workflow-open-publish-modal-button').click();
			await editor.page.getByTestId('workflow-publish-button').click();
			await waitFor(
				'the workflow to be published',
				async () => {
					const wf = await n8n.rest<SavedWorkflow>('GET', `/rest/workflows/${triggerWorkflowId}`);
					return wf.active || wf.activeVersionId ? wf : undefined;
				},
				{ timeoutMs: 30_000 },
			);
		});

		// What the editor saved is what was typed: two steps, each with its own wait and text. n8n
		// leaves out values equal to their default (Days, Message Text (No AI)).
		const saved = await n8n.rest<SavedWorkflow>('GET', `/rest/workflows/${triggerWorkflowId}`);
		const trigger = saved.nodes.find((n) => n.type === 'n8n-nodes-cadence.followUpTrigger')!;
		expect(trigger.parameters.cadenceName).toBe(CADENCE);
		expect((trigger.parameters.steps as { step: unknown[] }).step).toEqual([
			{ waitAmount: 1, staticText: FIRST_TEXT },
			{ waitAmount: 2, waitUnit: 'hours', staticText: SECOND_TEXT },
		]);
	});

	test('enrolls a sample contact through Enroll In Cadence, the cadence picked from the list', async () => {
		expect(triggerWorkflowId).not.toBe('');
		await editor.step('add Enroll In Cadence', async () => {
			await editor.newWorkflow();
			await editor.openNodePanelOnEmptyCanvas();
			await addFromPanel('Enroll In Cadence');
		});
		await editor.step('pick the cadence from the list and fill the contact', async () => {
			const locator = editor.page.getByTestId('resource-locator-cadence');
			await locator.getByTestId('rlc-input').click();
			await editor.page.getByTestId('rlc-item').filter({ hasText: CADENCE }).first().click();
			await fill('contactKey', CONTACT);
			await fill('contactName', 'Ana Lima');
			await editor.page
				.getByTestId('fixed-collection-variables')
				.locator('[data-test-id^="fixed-collection-add"]:visible')
				.first()
				.click();
			await fill('name', 'firstName');
			await fill('value', 'Ana');
		});
		const enrolledAt = Date.now();
		await editor.step('run it', async () => {
			await editor.page.getByTestId('node-execute-button').click();
			const output = editor.page.getByTestId('output-panel');
			await output.getByTestId('radio-button-json').click();
			await waitFor(
				'the enrollment in the output panel',
				async () => ((await output.innerText()).includes(CONTACT) ? true : undefined),
				{ timeoutMs: 30_000 },
			);
			await closeNodePanel();
		});

		// The store: Ana is in the cadence built above, its first step due a day after enrolling.
		const store = StoreProbe.sqlite(n8n.storePath);
		try {
			const row = await store.enrollment(CADENCE, CONTACT);
			expect(row.state).toBe('active');
			expect(row.next_step).toBe(0);
			const day = 24 * 3_600_000;
			expect(row.next_due_at).toBeGreaterThanOrEqual(enrolledAt + day - 60_000);
			expect(row.next_due_at).toBeLessThanOrEqual(Date.now() + day + 60_000);
		} finally {
			await store.close();
		}
	});
});

describe('every template on the canvas and its "Execute workflow" sample', () => {
	/**
	 * Every template of examples/ opened in the editor as a user imports it (with its pinned sample
	 * data): the canvas is readable — no node, name or connection label drawn over another, sticky
	 * notes either around a node or clear of it, no node flagged with an issue — and "Execute
	 * workflow" runs the sample its sticky note promises, to the end, without waiting for a webhook
	 * call or the schedule.
	 */
	const EXAMPLES = join(__dirname, '..', '..', 'examples');
	const files = readdirSync(EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.sort();

	const MANUAL = 'n8n-nodes-base.manualTrigger';
	const isTrigger = (type: string) =>
		/trigger$/i.test(type) || type === 'n8n-nodes-base.webhook' || type === MANUAL;

	/**
	 * The trigger a template's "Try it: click Execute workflow" note means: its Manual Trigger, or
	 * the trigger that holds the pinned sample (a webhook that runs with it instead of waiting).
	 */
	function promisedTrigger(template: TemplateFile): string | undefined {
		const notes = template.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		if (!notes.some((n) => /Execute workflow/.test(String(n.parameters.content)))) return undefined;
		const on = template.nodes.filter((n) => !n.disabled && isTrigger(n.type));
		const manual = on.find((n) => n.type === MANUAL);
		const pinned = on.find((n) => (template.pinData ?? {})[n.name] !== undefined);
		return (manual ?? pinned)?.name ?? '(no enabled Manual Trigger or pinned trigger)';
	}

	const samples = files.filter((f) => promisedTrigger(readTemplate(join(EXAMPLES, f))));

	const created = new Map<string, CreatedWorkflow>();

	beforeAll(async () => {
		try {
			for (const file of files) created.set(file, await importTemplate(n8n, join(EXAMPLES, file)));
			// Enrolling (the samples) needs the cadences published.
			for (const file of files.filter((f) => f.includes('.cadence.')))
				await n8n.activate(created.get(file)!.id);
		} catch (error) {
			throw n8n.withLogs(error);
		}
		await editor.step('sign in', () => editor.signInOnce());
	}, 420_000);

	afterAll(async () => {
		await n8n?.deactivateAll();
	});

	const describeBox = (b: NodeBox) =>
		`${b.name} (${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)})`;

	test.each(files)(
		'%s: no node drawn over another, notes clear of or around nodes, no issue badges',
		async (file) => {
			await editor.step(`canvas ${file}`, async () => {
				await editor.openWorkflow(created.get(file)!.id);
				await editor.zoomToFit();
				const template = readTemplate(join(EXAMPLES, file));
				// Sticky notes carry no name on the canvas, only their node id.
				const boxes = (await editor.nodeBoxes()).map((b) =>
					b.sticky
						? { ...b, name: template.nodes.find((n) => n.id === b.name)?.name ?? b.name }
						: b,
				);
				expect(boxes.map((b) => b.name).sort()).toEqual(template.nodes.map((n) => n.name).sort());

				const nodes = boxes.filter((b) => !b.sticky);
				const notes = boxes.filter((b) => b.sticky);
				const problems: string[] = [];
				for (const [i, a] of nodes.entries()) {
					for (const b of nodes.slice(i + 1)) {
						if (overlaps(a, b)) problems.push(`${describeBox(a)} overlaps ${describeBox(b)}`);
					}
					for (const note of notes) {
						if (overlaps(a, note) && !contains(note, a))
							problems.push(`${describeBox(a)} sticks out of the note ${describeBox(note)}`);
					}
					if (a.badges.length > 0) problems.push(`${a.name} shows ${a.badges.join(', ')}`);
				}
				expect(problems).toEqual([]);
			});
		},
	);

	/** The finished manual executions of a workflow, newest first, with their run data. */
	async function manualRuns(workflowId: string): Promise<ExecutionSummary[]> {
		const all = await n8n.executions(workflowId, { includeData: true });
		return all.filter((e) => e.mode === 'manual' && (e.finished || e.stoppedAt));
	}

	test.each(samples)(
		'%s: "Execute workflow" runs the sample the note promises, to the end',
		async (file) => {
			const template = readTemplate(join(EXAMPLES, file));
			const trigger = promisedTrigger(template)!;
			const { id } = created.get(file)!;
			await editor.step(`execute ${file}`, async () => {
				await editor.openWorkflow(id);
				const before = (await manualRuns(id)).length;
				const button = editor.page.getByTestId('execute-workflow-button');
				await button.click();
				const run = await waitFor(
					`the run started by "Execute workflow" on ${file} (it should start from "${trigger}")`,
					async () => {
						const label = await button.innerText().catch(() => '');
						if (/waiting for trigger event/i.test(label)) {
							throw new Fatal(
								`"Execute workflow" is waiting for a trigger event instead of running "${trigger}"`,
							);
						}
						const runs = await manualRuns(id);
						return runs.length > before ? runs[0] : undefined;
					},
					{ timeoutMs: 60_000, intervalMs: 1000, fatal: Fatal },
				).catch(async (error: Error) => {
					// Leave the editor idle for the next template (stop the listening webhook).
					await editor.page.keyboard.press('Escape');
					throw error;
				});
				const ran = Object.keys(run.data?.resultData.runData ?? {});
				const triggersRan = ran.filter((name) => {
					const node = template.nodes.find((n) => n.name === name);
					return node !== undefined && isTrigger(node.type);
				});
				expect({ file, triggersRan }).toEqual({ file, triggersRan: [trigger] });
				expect({ file, status: run.status, error: run.data?.resultData.error?.message }).toEqual({
					file,
					status: 'success',
					error: undefined,
				});
				// The sample went past its trigger: it reached this package's nodes.
				const ours = ran.filter((name) =>
					template.nodes.some((n) => n.name === name && n.type.startsWith('n8n-nodes-cadence.')),
				);
				expect({ file, reachedCadenceNodes: ours.length > 0 }).toEqual({
					file,
					reachedCadenceNodes: true,
				});
			});
		},
	);
});
