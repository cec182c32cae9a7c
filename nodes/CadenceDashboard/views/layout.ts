import { DateTime } from 'luxon';

/**
 * The dashboard's HTML: plain server-rendered pages with links and forms, no script at all, so
 * the Content-Security-Policy can forbid every script. Everything that came from a contact, an
 * agent, a model or a workflow goes through `esc`.
 */

export function esc(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** A query string from the values that are set, for links that keep the current filters. */
export function query(values: Record<string, string | number | undefined>): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) {
		if (value !== undefined && value !== '') params.set(key, String(value));
	}
	const text = params.toString();
	return text ? `?${text}` : '?';
}

export function localTime(at: number | null, zone: string): string {
	if (at === null) return '';
	const time = DateTime.fromMillis(at, { zone });
	return time.isValid ? time.toFormat('ccc d LLL yyyy, HH:mm ZZZZ') : new Date(at).toISOString();
}

const STYLE = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f8;color:#1f2328}
header{background:#312e81;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center}
header h1{font-size:1.1em;margin:0}header nav a{color:#c7d2fe;text-decoration:none;margin-right:16px}
header nav a.on{color:#fff;font-weight:600}header .who{margin-left:auto;color:#c7d2fe;font-size:.9em}
main{max-width:1200px;margin:0 auto;padding:16px 20px}
.card{background:#fff;border-radius:10px;padding:14px 16px;margin:0 0 16px;box-shadow:0 1px 3px #0002}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
input[type=search],select{font:inherit;padding:7px 9px;border:1px solid #c9ced6;border-radius:6px;background:#fff}
input[type=search]{flex:1;min-width:240px}
button{font:inherit;padding:7px 14px;border:0;border-radius:6px;background:#4f46e5;color:#fff;cursor:pointer}
button.quiet{background:#e5e7eb;color:#1f2328}button.danger{background:#b42318}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
tbody tr.row{position:relative}tbody tr.row:hover{background:#f5f7ff}
a.open{color:#1f2328;font-weight:600;text-decoration:none}a.open::after{content:'';position:absolute;inset:0}
.muted{color:#57606a;font-size:.88em}.reason{color:#8a5a00;font-size:.88em}
.state{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.82em;background:#e7f6ec;color:#116329}
.state.paused{background:#fff4d6;color:#8a5a00}.state.exited,.state.failed{background:#fde8e8;color:#b42318}
.state.completed{background:#e8eefc;color:#1e40af}
.pager{display:flex;gap:12px;align-items:center;margin-top:12px}.pager a{color:#4f46e5}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:900px){.grid{grid-template-columns:1fr}}
.chat{list-style:none;padding:0;margin:0}.chat li{margin:6px 0;padding:8px 10px;border-radius:8px;background:#eef1f4;white-space:pre-wrap;overflow-wrap:anywhere}
.chat li.contact{background:#e7f0ff}.chat li.followUp{background:#f1eefe}.chat .who{font-weight:600;font-size:.85em;margin-right:6px}
.timeline{list-style:none;padding:0;margin:0}.timeline li{padding:5px 0;border-bottom:1px dashed #eceef2}
.actions form{display:inline}.actions button{margin:4px 6px 4px 0}
.flash{background:#e7f6ec;border-left:4px solid #116329;padding:8px 12px;margin-bottom:16px}
.error{background:#fde8e8;border-left:4px solid #b42318;padding:8px 12px;margin-bottom:16px}
.num{text-align:right;font-variant-numeric:tabular-nums}h2{font-size:1.1em;margin:0 0 10px}h3{font-size:1em;margin:14px 0 6px}
`;

export interface Frame {
	title: string;
	user: string;
	tab: 'list' | 'reports' | 'contact' | 'none';
	/** The nonce the Content-Security-Policy allows for this response's one style element. */
	nonce: string;
}

export function page(frame: Frame, body: string): string {
	const tab = (id: Frame['tab'], href: string, label: string) =>
		`<a href="${href}"${frame.tab === id ? ' class="on"' : ''}>${label}</a>`;
	const nav =
		frame.tab === 'none'
			? ''
			: `<nav>${tab('list', '?', 'Follow-ups')}${tab('reports', '?view=reports', 'Reports')}</nav><span class="who">Signed in as ${esc(frame.user)}</span>`;
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>${esc(frame.title)}</title><style nonce="${esc(frame.nonce)}">${STYLE}</style></head><body><header><h1>Follow-up dashboard</h1>${nav}</header><main>${body}</main></body></html>`;
}

export function messagePage(frame: Frame, heading: string, text: string): string {
	return page(frame, `<section class="card"><h2>${esc(heading)}</h2><p>${esc(text)}</p></section>`);
}
