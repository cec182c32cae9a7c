import type { ConversationMessage, Enrollment, TimelineEvent } from '../../../engine';
import { esc, localTime, page, type Frame } from './layout';

/** One contact's enrollment (seed 003): the conversation, the timeline, what comes next. */

export interface PlannedStep {
	/** 1-based. */
	step: number;
	name: string;
	at: number | null;
	reason: string | null;
}

export interface ContactView {
	enrollment: Enrollment;
	stepCount: number;
	zone: string;
	messages: ConversationMessage[];
	timeline: TimelineEvent[];
	planned: PlannedStep[];
	/** Said above the plan, e.g. that times assume a resume now. */
	planNote: string;
	token: string;
	flash: string;
	error: string;
}

const AUTHOR = { contact: 'Contact', agent: 'Agent', followUp: 'Follow-up' } as const;

function conversation(view: ContactView): string {
	if (view.messages.length === 0) return '<p class="muted">No messages recorded yet.</p>';
	const items = view.messages
		.map(
			(m) =>
				`<li class="${esc(m.author)}" data-message="${m.id}"><span class="who">${esc(AUTHOR[m.author] ?? m.author)}</span><span class="muted">${esc(localTime(m.at, view.zone))}</span>\n${esc(m.text)}</li>`,
		)
		.join('');
	return `<ol class="chat" id="conversation">${items}</ol>`;
}

const EVENT_WORDS: Record<string, string> = {
	enrolled: 'Enrolled',
	claimed: 'Handed to the workflow',
	deferred: 'Deferred',
	composed: 'Composed',
	approved: 'Approved',
	sent: 'Sent',
	delivered: 'Delivered',
	read: 'Read',
	replied: 'Replied',
	classified: 'Reply classified',
	paused: 'Paused',
	resumed: 'Resumed',
	skipped: 'Step skipped',
	exited: 'Exited',
	completed: 'Completed',
	stuck: 'Stuck: not confirmed as sent',
	retried: 'Retry requested',
	restarted: 'Restarted',
};

/** The detail's fields in words: who did it and why first, then whatever else it holds. */
function eventDetail(event: TimelineEvent, zone: string): string {
	const detail = { ...(event.detail ?? {}) };
	const parts: string[] = [];
	if (detail.by) parts.push(`by ${esc(detail.by)}`);
	if (detail.reason) parts.push(esc(detail.reason));
	if (typeof detail.step === 'number') parts.push(`step ${detail.step + 1}`);
	for (const key of ['until', 'dueAt']) {
		if (typeof detail[key] === 'number')
			parts.push(
				`${key === 'until' ? 'until' : 'next due'} ${esc(localTime(detail[key] as number, zone))}`,
			);
	}
	if (detail.note) parts.push(esc(detail.note));
	// Shown above, or bookkeeping a person does not need (the version is in the heading).
	for (const key of [
		'by',
		'reason',
		'step',
		'until',
		'dueAt',
		'note',
		'version',
		'nextStep',
		'cycle',
	])
		delete detail[key];
	for (const [key, value] of Object.entries(detail)) {
		if (value === null || value === undefined || typeof value === 'object') continue;
		parts.push(`${esc(key)}: ${esc(value)}`);
	}
	return parts.join(' · ');
}

function timeline(view: ContactView): string {
	const items = view.timeline
		.map(
			(e) =>
				`<li data-event="${esc(e.type)}"><span class="muted">${esc(localTime(e.at, view.zone))}</span> <b>${esc(EVENT_WORDS[e.type] ?? e.type)}</b> <span class="detail">${eventDetail(e, view.zone)}</span></li>`,
		)
		.join('');
	return `<ol class="timeline" id="timeline">${items}</ol>`;
}

function plan(view: ContactView): string {
	if (view.planned.length === 0) return '<p class="muted">No step left.</p>';
	const rows = view.planned
		.map(
			(p) =>
				`<tr><td>${p.step} of ${view.stepCount}</td><td>${esc(p.name)}</td><td>${p.at === null ? '<span class="muted">being sent now</span>' : esc(localTime(p.at, view.zone))}${p.reason ? `<div class="reason">${esc(p.reason)}</div>` : ''}</td></tr>`,
		)
		.join('');
	const note = view.planNote ? `<p class="muted">${esc(view.planNote)}</p>` : '';
	return `${note}<table id="plan"><thead><tr><th>Step</th><th>Name</th><th>Planned (contact’s time)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function actions(view: ContactView): string {
	const e = view.enrollment;
	if (e.state !== 'active' && e.state !== 'paused') return '';
	const button = (action: string, label: string, style = '') =>
		`<form method="post"><input type="hidden" name="token" value="${esc(view.token)}"><input type="hidden" name="enrollment" value="${e.id}"><button type="submit" name="action" value="${action}"${style ? ` class="${style}"` : ''}>${label}</button></form>`;
	const toggle = e.state === 'active' ? button('pause', 'Pause') : button('resume', 'Resume');
	return `<div class="actions">${toggle}${button('skip', 'Skip next step', 'quiet')}${button('cancel', 'Cancel follow-ups', 'danger')}</div>`;
}

export function contactPage(frame: Frame, view: ContactView): string {
	const e = view.enrollment;
	const name = e.contactName || e.contactKey;
	const flash = view.flash ? `<p class="flash" role="status">${esc(view.flash)}</p>` : '';
	const error = view.error ? `<p class="error" role="alert">${esc(view.error)}</p>` : '';
	const status =
		e.state === 'exited' ? `exited (${esc(e.exitReason ?? 'no reason')})` : esc(e.state);
	const head = `<section class="card"><h2 id="contact-name">${esc(name)}</h2>
<p class="muted">${esc(e.contactKey)}${e.conversationKey ? ` · conversation ${esc(e.conversationKey)}` : ''} · agent ${esc(e.agent || '—')} · cadence “${esc(e.cadenceName)}” version ${e.version} · time zone ${esc(view.zone)}</p>
<p>State: <span class="state ${esc(e.state)}" id="state">${status}</span>${e.nextReason ? ` <span class="reason">${esc(e.nextReason)}</span>` : ''}</p>${actions(view)}</section>`;
	return page(
		frame,
		`<p><a href="?">← All follow-ups</a></p>${flash}${error}${head}<div class="grid"><section class="card"><h2>Conversation</h2>${conversation(view)}</section><div><section class="card"><h2>Coming next</h2>${plan(view)}</section><section class="card"><h2>Timeline</h2>${timeline(view)}</section></div></div>`,
	);
}
