import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { openStore } from '../../../engine/store/open';
import { e2eSetup } from './environment';

/**
 * What the dashboard test shows: a few hundred enrollments in three cadences and four agents,
 * written straight into the store the n8n under test uses (its SQLite file), with conversations,
 * sends, replies, pauses, stuck steps and a contact whose name and message are HTML.
 */

export const AGENTS = ['Irina', 'Alexey', 'Maria', 'Tom'];
const FIRST = ['Michael', 'Pam', 'Dwight', 'Angela', 'Oscar', 'Kevin', 'Stanley', 'Phyllis'];
const LAST = ['Scott', 'Beesly', 'Schrute', 'Martin', 'Martinez', 'Malone', 'Hudson'];
export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const XSS_MESSAGE =
	"<script>window.__pwned = 1; alert('script ran')</script> is my question";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const steps = (count: number, wait: { amount: number; unit: 'hours' | 'days' }, label: string) =>
	Array.from({ length: count }, (_, i) => ({
		name: `${label} ${i + 1}`,
		wait,
		staticText: `${label} follow-up number ${i + 1}, just checking in with you.`,
	}));

export const CADENCES: CadenceDefinitionInput[] = [
	{ name: 'Welcome', steps: steps(3, { amount: 1, unit: 'days' }, 'Welcome') },
	{
		name: 'Billing',
		steps: steps(3, { amount: 1, unit: 'days' }, 'Billing'),
		schedule: {
			timeZone: 'America/Chicago',
			workingHours: {
				monday: [{ from: '09:00', to: '17:00' }],
				tuesday: [{ from: '09:00', to: '17:00' }],
				wednesday: [{ from: '09:00', to: '17:00' }],
				thursday: [{ from: '09:00', to: '17:00' }],
				friday: [{ from: '09:00', to: '17:00' }],
			},
		},
	},
	{ name: 'Reactivation', steps: steps(2, { amount: 20, unit: 'hours' }, 'Reactivation') },
];

export interface Seeded {
	/** Contact keys whose claimed step was never confirmed (stuck). */
	stuckKeys: string[];
	xssKey: string;
	/** A contact with a conversation of several messages. */
	chattyKey: string;
}

/** 300 enrollments: half started 36 hours ago (sent, replied, stuck), half an hour ago. */
export async function seedDashboard(storePath: string, realNow: number): Promise<Seeded> {
	let now = realNow - 36 * HOUR;
	mkdirSync(dirname(storePath), { recursive: true });
	const store = await openStore({ kind: 'sqlite', path: storePath }, () => now);
	try {
		for (const cadence of CADENCES) await store.publishCadence({ ...cadence, active: true });
		const enrollBatch = async (from: number, to: number) => {
			const inputs = [];
			for (let i = from; i < to; i++) {
				inputs.push({
					cadence: CADENCES[i % 3].name,
					contactKey: `contact-${i}@example.com`,
					contactName: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]} ${i}`,
					agent: AGENTS[i % AGENTS.length],
					conversationKey: `chat-${i}`,
					timeZone: i % 4 === 0 ? 'Europe/Berlin' : null,
					variables: { firstName: FIRST[i % FIRST.length], company: `Company ${i}` },
				});
			}
			return store.enroll(inputs);
		};
		// The conversation before the contact went quiet and was enrolled.
		const chattyKey = 'contact-7@example.com';
		for (const [i, text] of ['Hi, how much is the plan?', 'And is there a trial?'].entries()) {
			now += 60_000;
			await store.recordInbound({ contactKey: chattyKey, conversationKey: 'chat-7', text });
			now += 60_000;
			await store.recordOutbound({
				contactKey: chattyKey,
				conversationKey: 'chat-7',
				text: `Agent answer ${i + 1}`,
			});
		}
		now += 60_000;
		await enrollBatch(0, 150);
		// A day and a bit later the first steps went out; a few were never confirmed (stuck), and
		// every fifth contact answered.
		now = realNow - 10 * HOUR;
		const stuckKeys: string[] = [];
		for (const cadence of CADENCES) {
			const claimed = await store.claimDue({ cadence: cadence.name, limit: 1000 });
			for (const [n, c] of claimed.entries()) {
				if (n < 1) {
					stuckKeys.push(c.enrollment.contactKey);
					continue;
				}
				await store.markSent({ stepRunId: c.stepRun.id, text: `${cadence.name} step 1 text` });
			}
		}
		now += HOUR;
		for (let i = 0; i < 150; i += 5) {
			const contactKey = `contact-${i}@example.com`;
			if (stuckKeys.includes(contactKey)) continue;
			await store.recordInbound({ contactKey, conversationKey: `chat-${i}`, text: 'Thanks!' });
		}
		now = realNow - HOUR;
		const second = await enrollBatch(150, 300);
		for (const [n, result] of second.entries()) {
			if (n % 10 === 3) await store.pause({ enrollmentId: result.enrollment!.id, by: 'seed' });
		}
		const [xss] = await store.enroll([
			{
				cadence: 'Welcome',
				contactKey: 'xss@example.com',
				contactName: XSS_NAME,
				agent: 'Irina',
				conversationKey: 'chat-xss',
			},
		]);
		await store.recordInbound({
			contactKey: 'xss@example.com',
			conversationKey: 'chat-xss',
			text: XSS_MESSAGE,
			action: 'ignore',
		});
		return { stuckKeys, xssKey: xss.enrollment!.contactKey, chattyKey };
	} finally {
		await store.close();
	}
}

/** Debian's Chromium through playwright-core, a fresh profile, logged in by HTTP Basic Auth. */
export async function dashboardBrowser(login: { username: string; password: string }): Promise<{
	context: BrowserContext;
	page: Page;
	dialogs: string[];
}> {
	const profile = mkdtempSync(join(e2eSetup().workRoot, 'dashboard-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CADENCE_E2E_CHROMIUM ?? '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		httpCredentials: login,
		viewport: { width: 1280, height: 800 },
	});
	// Runs before any page script (and outside its CSP): any alert or script that ran is recorded.
	await context.addInitScript(() => {
		const w = globalThis as unknown as { __alerts: number; alert: (m?: unknown) => void };
		w.__alerts = 0;
		w.alert = () => {
			w.__alerts++;
		};
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const dialogs: string[] = [];
	page.on('dialog', (d) => {
		dialogs.push(d.message());
		void d.dismiss();
	});
	return { context, page, dialogs };
}

export function dashboardScreenshots(): string {
	const folder = join(e2eSetup().workRoot, 'screenshots');
	mkdirSync(folder, { recursive: true });
	return folder;
}

export { DAY };
