import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';
import type { Outcome } from './outcome';
import type { ApprovalRequest, HistoryEntry, WaitingState } from './state';
import type { StepView } from './store-sync';

/**
 * The reviewer's pages: small, self-contained HTML (inline CSS, no script, no external asset), so
 * they work inside n8n's sandboxed responses and in any mail client's browser. Every piece of
 * text that came from a contact, a model or a workflow goes through `escapeHtml`.
 */

export interface Entry {
	request: ApprovalRequest;
	view: StepView;
}

export function escapeHtml(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f4f7;color:#1f2328}
main{max-width:720px;margin:0 auto;padding:24px 16px}
h1{font-size:1.4em;margin:0 0 8px}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px}
.card{background:#fff;border-radius:10px;padding:16px;margin:16px 0;box-shadow:0 1px 3px #0002}
.meta{color:#57606a;font-size:.9em;margin:0 0 8px}.chat{list-style:none;padding:0;margin:8px 0}
.chat li{margin:6px 0;padding:8px 10px;border-radius:8px;background:#eef1f4;white-space:pre-wrap}
.chat li.contact{background:#e7f0ff}.chat .who{font-weight:600;font-size:.85em}.chat time{color:#57606a;font-size:.8em;margin-left:6px}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:8px;border:1px solid #c9ced6;border-radius:6px}
input[type=text]{font:inherit;padding:6px 8px;border:1px solid #c9ced6;border-radius:6px;width:min(320px,100%)}
button{font:inherit;padding:10px 18px;border:0;border-radius:6px;background:#2563eb;color:#fff;cursor:pointer;margin:4px 8px 4px 0}
button.secondary{background:#e5e7eb;color:#1f2328}.error{background:#fde8e8;border-left:4px solid #d1242f;padding:8px 12px}
.status{font-weight:600}label{display:block;margin:8px 0 4px}.choice label{display:inline;margin-right:16px}
`;

function layout(title: string, body: string): string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const when = (at: number | null, zone: string) =>
	at === null ? '' : DateTime.fromMillis(at, { zone }).toFormat('d LLL yyyy, HH:mm ZZZZ');

function conversation(history: HistoryEntry[], zone: string): string {
	if (history.length === 0) return '<p class="meta">No earlier messages.</p>';
	const who = { contact: 'Contact', agent: 'Agent', followUp: 'Follow-up' };
	const items = history
		.map(
			(m) =>
				`<li class="${m.author}"><span class="who">${who[m.author]}</span><time>${escapeHtml(when(m.at, zone))}</time>\n${escapeHtml(m.text)}</li>`,
		)
		.join('');
	return `<details open><summary>Conversation (${history.length})</summary><ol class="chat">${items}</ol></details>`;
}

function heading(request: ApprovalRequest): string {
	const { name, key } = request.contact;
	const who = name || key || 'Contact';
	const keyPart = name && key ? ` <small>(${escapeHtml(key)})</small>` : '';
	const step = request.step;
	const meta = step
		? `<p class="meta">Cadence “${escapeHtml(step.cadence)}”, step ${step.step}${step.stepCount ? ` of ${step.stepCount}` : ''}</p>`
		: '';
	return `<h2>${escapeHtml(who)}${keyPart}</h2>${meta}`;
}

function statusLine(view: StepView): string {
	const s = view.state;
	if (s.kind === 'decided')
		return `<p class="status">Already ${escapeHtml(s.decision)}${s.by ? ` by ${escapeHtml(s.by)}` : ''}.</p>`;
	if (s.kind === 'stopped')
		return `<p class="status">Nothing to send any more: ${escapeHtml(s.detail)}.</p>`;
	if (s.kind === 'auto') return '<p class="status">Needs no decision.</p>';
	return '';
}

export function formPage(options: {
	state: WaitingState;
	entries: Entry[];
	zone: string;
	reviewer: string;
	error?: string;
	values?: IDataObject;
}): string {
	const { state, entries, zone } = options;
	const open = entries.filter((e) => e.view.state.kind === 'open');
	const values = options.values ?? {};
	const cards = entries
		.map((e) => {
			const i = e.request.index;
			const body =
				e.view.state.kind !== 'open'
					? statusLine(e.view)
					: `<label for="text_${i}">Message to send (edit it if you like)</label><textarea id="text_${i}" name="text_${i}" rows="7">${escapeHtml(values[`text_${i}`] ?? e.request.draft)}</textarea>${
							open.length > 1 ? choice(i, values[`decision_${i}`]) : ''
						}`;
			return `<section class="card">${heading(e.request)}${conversation(e.view.conversation, zone)}${body}</section>`;
		})
		.join('');
	const deadline = `<p class="meta">Decide by ${escapeHtml(when(state.deadline, zone))}.</p>`;
	const name = state.askName
		? `<label for="by">Your name</label><input type="text" id="by" name="by" maxlength="200" value="${escapeHtml(values.by ?? options.reviewer)}">`
		: '';
	const buttons =
		open.length === 0
			? '<button type="submit" name="action" value="close">Close this review</button>'
			: open.length === 1
				? '<button type="submit" name="action" value="approve">Approve and send</button><button type="submit" name="action" value="discard" class="secondary">Discard</button>'
				: '<button type="submit" name="action" value="submit">Send my decisions</button>';
	const error = options.error
		? `<p class="error" role="alert">${escapeHtml(options.error)}</p>`
		: '';
	const note = state.note ? `<p class="note">${escapeHtml(state.note)}</p>` : '';
	return layout(
		state.title,
		`<h1>${escapeHtml(state.title)}</h1>${deadline}${note}${error}<form method="post">${cards}<section class="card">${name}<p>${buttons}</p></section></form>`,
	);
}

function choice(index: number, selected: unknown): string {
	const radio = (value: string, label: string) =>
		`<label><input type="radio" name="decision_${index}" value="${value}" required${selected === value ? ' checked' : ''}> ${label}</label>`;
	return `<p class="choice">${radio('approve', 'Approve and send')}${radio('discard', 'Discard')}</p>`;
}

export function decidedPage(state: WaitingState, entries: Entry[]): string {
	const cards = entries
		.map((e) => `<section class="card">${heading(e.request)}${statusLine(e.view)}</section>`)
		.join('');
	return layout(
		state.title,
		`<h1>Already decided</h1><p>This review was already answered, so nothing was changed.</p>${cards}`,
	);
}

const OUTCOME_WORDS: Record<Outcome['decision'], string> = {
	approved: 'Approved: it will be sent as it was.',
	edited: 'Approved with your changes.',
	discarded: 'Discarded: nothing will be sent.',
	timedOut: 'Timed out.',
	stopped: 'Not sent.',
	failed: 'Could not be reviewed.',
};

export function donePage(state: WaitingState, outcomes: Outcome[]): string {
	const cards = outcomes
		.map(
			(o) =>
				`<section class="card">${heading(o.request)}<p class="status">${escapeHtml(OUTCOME_WORDS[o.decision])}</p>${o.note ? `<p class="meta">${escapeHtml(o.note)}</p>` : ''}</section>`,
		)
		.join('');
	return layout(
		state.title,
		`<h1>Thank you</h1><p>Your decision is recorded. You can close this page.</p>${cards}`,
	);
}

export function notWaitingPage(): string {
	return layout(
		'Nothing to review',
		'<h1>Nothing to review</h1><p>This link is not waiting for a decision.</p>',
	);
}

export function unavailablePage(): string {
	return layout(
		'Please try again',
		'<h1>Please try again</h1><p>The cadence store could not be reached, so nothing was decided. Open the link again in a moment.</p>',
	);
}
