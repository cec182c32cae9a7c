import { join } from 'node:path';
import { Editor, importTemplate } from '../test/e2e/support/browser';
import { N8nInstance } from '../test/e2e/support/n8n-instance';

/**
 * Not a test: produces the README's canvas screenshots (docs/canvas-*.png) in a real n8n with
 * this package installed. Lives outside test/e2e so `npm test` never runs it. Regenerate with
 * npx jest -c jest.e2e.config.js --runInBand --testMatch '**\/scripts/readme-screenshots.test.ts'
 */
const ROOT = join(__dirname, '..');
const template = (file: string) => join(ROOT, 'examples', file);
const docs = (file: string) => join(ROOT, 'docs', file);

let n8n: N8nInstance;
let editor: Editor;

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'readme-screenshots' });
	editor = await Editor.launch(n8n, 'readme');
	await editor.page.setViewportSize({ width: 1600, height: 900 });
	await editor.signIn();
}, 300_000);

afterAll(async () => {
	await editor?.close();
	await n8n?.stop();
});

/** Opens a template's canvas, fitted to the window, with the pointer off every node. */
async function openFitted(file: string): Promise<void> {
	const { id } = await importTemplate(n8n, template(file));
	await editor.openWorkflow(id);
	await editor.zoomToFit();
	await editor.page.mouse.move(5, 895);
	await editor.settle(500);
}

/** Saves the canvas cropped to its nodes and notes (no toolbar, no empty space). */
async function shootCanvas(file: string): Promise<void> {
	const boxes = await editor.nodeBoxes();
	const margin = 24;
	const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
	const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
	const right = Math.min(1600, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
	const bottom = Math.min(900, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
	await editor.page.screenshot({
		path: docs(file),
		clip: { x, y, width: right - x, height: bottom - y },
	});
}

test('the cadence workflow of template 02 and its Follow-up Trigger', async () => {
	await openFitted('02-prospecting.cadence.json');
	await shootCanvas('canvas-cadence.png');

	await editor.canvasNode('Follow-up Trigger').dblclick();
	await editor.page.getByTestId('ndv').waitFor();
	await editor.settle(800);
	await editor.page.screenshot({ path: docs('canvas-follow-up-trigger.png') });
	await editor.page.getByTestId('ndv-close-button').click();
});

test('the conversation workflow of template 01', async () => {
	await openFitted('01-chat-inactivity.conversation.json');
	await shootCanvas('canvas-conversation.png');
});

test('the live chat → SMS workflow of template 07, with Route by Channel', async () => {
	await openFitted('07-live-chat-to-sms.cadence.json');
	await shootCanvas('canvas-channels.png');
});
