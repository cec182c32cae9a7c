import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { e2eSetup, waitFor } from './environment';
import { OWNER, type CreatedWorkflow, type N8nInstance } from './n8n-instance';

/**
 * The browser side of the end-to-end suite: Debian's Chromium (installed by .ci/run) driven by
 * playwright-core, which downloads no browser of its own. One browser per test file, signed in as
 * the instance owner, like a person opening the n8n that the harness started.
 */

/** Where `.ci/run` (apt-get install chromium) puts it; CADENCE_E2E_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.CADENCE_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Quiet, offline, reproducible: no GPU, no QUIC, no calls home, no sync, no first-run pages. */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

// n8n's editor marks its elements with data-test-id (playwright's default is data-testid).
selectors.setTestIdAttribute('data-test-id');

/** Two cores shared by many processes: the editor's first load alone can take 20 s. */
export const BROWSER_TIMEOUT = 90_000;

/** Screenshots of failures, kept after the run (global-teardown.mjs leaves this folder). */
export function screenshotsFolder(): string {
	const folder = join(e2eSetup().workRoot, 'screenshots');
	mkdirSync(folder, { recursive: true });
	return folder;
}

export interface NodeBox {
	name: string;
	type: string;
	sticky: boolean;
	/** Screen pixels: the node with its name, subtitle and connection labels. */
	x: number;
	y: number;
	width: number;
	height: number;
	/** Badges the canvas shows on the node: issues (missing parameters…) or a failed run. */
	badges: string[];
}

/** The little of the DOM that nodeBoxes reads (this project compiles without the DOM types). */
interface PageElement {
	children: { length: number };
	textContent: string | null;
	getAttribute(name: string): string | null;
	getBoundingClientRect(): { left: number; top: number; right: number; bottom: number } & {
		width: number;
		height: number;
	};
	closest(selector: string): PageElement | null;
	querySelector(selector: string): PageElement | null;
	querySelectorAll(selector: string): ArrayLike<PageElement>;
}

export class Editor {
	private shots = 0;
	private signedIn = false;

	private constructor(
		readonly n8n: N8nInstance,
		readonly name: string,
		readonly context: BrowserContext,
		readonly page: Page,
	) {}

	/** A fresh Chromium profile under the work root, so no run sees another's state. */
	static async launch(n8n: N8nInstance, name: string): Promise<Editor> {
		const profile = mkdtempSync(join(e2eSetup().workRoot, `chromium-${name}-`));
		const context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1600, height: 1000 },
		});
		context.setDefaultTimeout(BROWSER_TIMEOUT);
		const page = context.pages()[0] ?? (await context.newPage());
		return new Editor(n8n, name, context, page);
	}

	async close(): Promise<void> {
		await this.context.close().catch(() => undefined);
	}

	/**
	 * Runs one part of a test; when it fails, saves a screenshot of the page and adds its path
	 * (and the last lines n8n printed) to the error.
	 */
	async step<T>(label: string, body: () => Promise<T>): Promise<T> {
		try {
			return await body();
		} catch (error) {
			const file = await this.screenshot(label).catch((e: Error) => `(none: ${e.message})`);
			const failure = this.n8n.withLogs(error);
			failure.message = `${label}: ${failure.message}\nscreenshot: ${file}`;
			throw failure;
		}
	}

	async screenshot(label: string): Promise<string> {
		const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
		const file = join(screenshotsFolder(), `${this.name}-${++this.shots}-${safe}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	/** Signs in through the sign-in page with the owner the harness created. */
	async signIn(): Promise<void> {
		await this.page.goto(`${this.n8n.url}/signin`);
		await this.page.getByLabel(/email/i).fill(OWNER.email);
		await this.page.getByLabel(/password/i).fill(OWNER.password);
		await this.page.getByRole('button', { name: /sign in/i }).click();
		await this.page.waitForURL(/\/home\b|\/workflows?\b/);
		this.signedIn = true;
	}

	/**
	 * Signs in unless this browser already did: the parts of a file share one browser, and the
	 * sign-in page of a signed-in session moves on to the workflows instead of asking again.
	 */
	async signInOnce(): Promise<void> {
		if (!this.signedIn) await this.signIn();
	}

	/** Opens a saved workflow and waits until its nodes are drawn. */
	async openWorkflow(id: string): Promise<void> {
		await this.page.goto(`${this.n8n.url}/workflow/${id}`);
		await this.canvasNodes().first().waitFor();
		await this.settle();
	}

	/** An empty canvas of a new workflow. */
	async newWorkflow(): Promise<void> {
		await this.page.goto(`${this.n8n.url}/workflow/new`);
		await this.page.getByTestId('canvas-add-button').waitFor();
		await this.settle();
	}

	canvasNodes(): Locator {
		return this.page.locator('[data-test-id="canvas-node"]');
	}

	canvasNode(name: string): Locator {
		return this.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	}

	/** Lets the canvas finish laying itself out (fonts, labels, fit view). */
	async settle(ms = 800): Promise<void> {
		await this.page.waitForLoadState('networkidle').catch(() => undefined);
		await this.page.waitForTimeout(ms);
	}

	/** Names listed in the node panel for a search, once the list stops changing. */
	async searchNodePanel(term: string): Promise<string[]> {
		const search = this.page.getByTestId('node-creator-search-bar');
		await search.fill('');
		await search.fill(term);
		let last = '';
		return waitFor(
			`the node panel's results for "${term}"`,
			async () => {
				await this.page.waitForTimeout(300);
				const names = await this.page
					.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]')
					.allInnerTexts();
				const key = names.join('|');
				const stable = key === last;
				last = key;
				return stable ? names.map((n) => n.trim()) : undefined;
			},
			{ timeoutMs: 20_000, intervalMs: 200 },
		);
	}

	/** The node panel as the empty canvas's "Add first step" opens it. */
	async openNodePanelOnEmptyCanvas(): Promise<void> {
		await this.page.getByTestId('canvas-add-button').click();
		await this.page.getByTestId('node-creator-search-bar').waitFor();
	}

	/** The node panel as the "+" after a node's output opens it. */
	async openNodePanelAfter(nodeName: string): Promise<void> {
		await this.canvasNode(nodeName).getByTestId('canvas-handle-plus').first().click();
		await this.page.getByTestId('node-creator-search-bar').waitFor();
	}

	async closeNodePanel(): Promise<void> {
		await this.page.keyboard.press('Escape');
		await this.page.getByTestId('node-creator-search-bar').waitFor({ state: 'hidden' });
	}

	/**
	 * Every node on the canvas with the box a person sees: the node, its name and subtitle under
	 * it, and the labels of its connections. The toolbar and a trigger's "Execute workflow" button
	 * (shown on hover) and the "+" of a free output (meant to stick out) are left out.
	 */
	async nodeBoxes(): Promise<NodeBox[]> {
		return this.page.locator('.vue-flow__node').evaluateAll((found) => {
			const elements = found as unknown as PageElement[];
			const skip = (el: PageElement) =>
				!!el.closest(
					[
						'[data-test-id="canvas-node-toolbar"]',
						'[data-test-id="canvas-handle-plus-wrapper"]',
						'[data-test-id^="execute-workflow-button"]',
					].join(', '),
				);
			return elements.flatMap((wrapper) => {
				const node = wrapper.querySelector('[data-test-id="canvas-node"], [data-test-id="sticky"]');
				if (!node) return [];
				const sticky = node.getAttribute('data-test-id') === 'sticky';
				const parts = sticky
					? [node]
					: [node, ...Array.from(node.querySelectorAll('*')).filter((el) => !skip(el))];
				let left = Infinity;
				let top = Infinity;
				let right = -Infinity;
				let bottom = -Infinity;
				for (const part of parts) {
					const r = part.getBoundingClientRect();
					if (r.width === 0 || r.height === 0) continue;
					// Only what is drawn: a label is a leaf with text; boxes are the node itself.
					const drawn = part === node || (part.children.length === 0 && !!part.textContent?.trim());
					if (!drawn) continue;
					left = Math.min(left, r.left);
					top = Math.min(top, r.top);
					right = Math.max(right, r.right);
					bottom = Math.max(bottom, r.bottom);
				}
				const badges = Array.from(node.querySelectorAll('[data-test-id]'))
					.map((el) => el.getAttribute('data-test-id') ?? '')
					.filter((id) => id === 'node-issues' || /status-(mark-)?error/.test(id));
				return [
					{
						name: node.getAttribute('data-node-name') ?? wrapper.getAttribute('data-id') ?? '',
						type: node.getAttribute('data-node-type') ?? 'n8n-nodes-base.stickyNote',
						sticky,
						x: left,
						y: top,
						width: right - left,
						height: bottom - top,
						badges,
					},
				];
			});
		});
	}

	/** Zooms so the whole workflow is on screen. */
	async zoomToFit(): Promise<void> {
		await this.page.getByTestId('zoom-to-fit').click();
		await this.settle(600);
	}
}

/** Two boxes share some area (touching edges do not count). */
export function overlaps(a: NodeBox, b: NodeBox): boolean {
	return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function contains(outer: NodeBox, inner: NodeBox): boolean {
	return (
		inner.x >= outer.x &&
		inner.y >= outer.y &&
		inner.x + inner.width <= outer.x + outer.width &&
		inner.y + inner.height <= outer.y + outer.height
	);
}

export interface TemplateFile {
	name: string;
	nodes: Array<{
		id?: string;
		name: string;
		type: string;
		disabled?: boolean;
		parameters: Record<string, unknown>;
	}>;
	connections: unknown;
	settings?: Record<string, unknown>;
	pinData?: Record<string, unknown>;
}

export const readTemplate = (file: string): TemplateFile =>
	JSON.parse(readFileSync(file, 'utf8')) as TemplateFile;

/**
 * Imports a template file as the editor's "Import from File" does: with its pinned sample data
 * (the public API's create leaves pinData out), through the internal API as the signed-in owner.
 */
export async function importTemplate(n8n: N8nInstance, file: string): Promise<CreatedWorkflow> {
	const { name, nodes, connections, settings, pinData } = readTemplate(file);
	const created = await n8n.rest<CreatedWorkflow>('POST', '/rest/workflows', {
		name,
		nodes,
		connections,
		settings: settings ?? { executionOrder: 'v1' },
		pinData: pinData ?? {},
	});
	return { id: created.id, versionId: created.versionId, name: created.name };
}
