import type {
	IDataObject,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import type { CadenceStore } from '../../engine';
import { carryOut, parseForm } from './decide';
import { toOutputs } from './outcome';
import {
	decidedPage,
	donePage,
	formPage,
	notWaitingPage,
	unavailablePage,
	type Entry,
} from './page';
import { readState, type WaitingState } from './state';
import { viewOf, withWebhookStore } from './store-sync';

/**
 * The approval page answers on the execution's own resume URL, {{ $execution.resumeUrl }} (path
 * ''), which the node placed before this one can put in its message; n8n checks that URL's token
 * itself. A node-id path with a signed URL (getSignedResumeUrl) would need this node's code to
 * create the link, and that runs only after the notification has gone out.
 */
export const APPROVAL_WEBHOOKS: IWebhookDescription[] = (['GET', 'POST'] as const).map(
	(httpMethod) => ({
		name: 'default',
		httpMethod,
		responseMode: 'onReceived',
		path: '',
		restartWebhook: true,
	}),
);

/**
 * The approval link. n8n checks the link's token before this runs (a tampered or missing one gets
 * 401 from n8n itself, and a link to an execution that already went on gets 409), so this only
 * sees requests for the execution waiting here.
 *
 * GET shows the page and never decides anything: link previews and mail scanners open links.
 * POST carries out the decisions and resumes the workflow. If a decision is already recorded for
 * any of the steps (the link was used before, e.g. two reviewers at once), the page says so and
 * nothing changes: no write, no second resume.
 */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const state = readState(this);
	if (!state) return respond(this, 404, notWaitingPage());
	const usesStore = state.requests.some((r) => r.step && !r.step.preview && !r.error);
	try {
		if (!usesStore) return await answer(this, state, null);
		return await withWebhookStore(this, async (store) => answer(this, state, store));
	} catch {
		// The reviewer gets a page, not a stack trace; the link keeps working.
		return respond(this, 503, unavailablePage());
	}
}

async function answer(
	context: IWebhookFunctions,
	state: WaitingState,
	store: CadenceStore | null,
): Promise<IWebhookResponseData> {
	const method = context.getRequestObject().method;
	const entries: Entry[] = [];
	for (const request of state.requests) {
		entries.push({ request, view: await viewOf(context.getNode(), store, request) });
	}
	if (entries.some((e) => e.view.state.kind === 'decided')) {
		return respond(context, method === 'POST' ? 409 : 200, decidedPage(state, entries));
	}
	const page = {
		state,
		entries,
		zone: context.getTimezone() || 'UTC',
		reviewer: String((context.getQueryData() as IDataObject).reviewer ?? ''),
	};
	if (method !== 'POST') return respond(context, 200, formPage(page));

	const form = parseForm((context.getBodyData() ?? {}) as IDataObject, entries);
	if (!form.ok) {
		return respond(context, 400, formPage({ ...page, error: form.error, values: form.values }));
	}
	const outcomes = await carryOut(
		context.getNode(),
		store,
		entries,
		form.choices,
		form.by,
		Date.now(),
	);
	respond(context, 200, donePage(state, outcomes));
	return { noWebhookResponse: true, workflowData: toOutputs(outcomes, context.getNode()) };
}

function respond(context: IWebhookFunctions, status: number, html: string): IWebhookResponseData {
	const res = context.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	// The page is plain HTML with a form: it needs no script, frame or outside resource.
	res.setHeader(
		'Content-Security-Policy',
		"sandbox allow-forms; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
	);
	res.send(html);
	return { noWebhookResponse: true };
}
