import type { Locator } from 'playwright-core';
import { Editor } from './support/browser';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { N8nInstance } from './support/n8n-instance';

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

let n8n: N8nInstance;
let editor: Editor;

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'browser-build' });
	editor = await Editor.launch(n8n, 'build');
	await editor.signIn();
	// Past the first load, anything the editor does takes seconds; fail fast with a screenshot.
	editor.page.setDefaultTimeout(30_000);
}, 420_000);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
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
