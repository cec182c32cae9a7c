import type { SectionReport } from './report';

/** A markdown table whose columns line up in a terminal as well as on GitHub. */
export function markdownTable(columns: string[], rows: string[][]): string {
	const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) =>
		`| ${cells.map((cell, i) => (cell ?? '').padEnd(widths[i])).join(' | ')} |`;
	const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
	return [line(columns), rule, ...rows.map(line)].join('\n');
}

export function sectionMarkdown(report: SectionReport): string {
	const notes = report.notes.map((n) => `- ${n}`).join('\n');
	return [`### ${report.title}`, '', markdownTable(report.columns, report.rows), '', notes]
		.join('\n')
		.trimEnd();
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345 — whole numbers with separators. */
export function whole(value: number): string {
	return grouped.format(Math.round(value));
}

/** Milliseconds with enough digits to compare sub-millisecond figures. */
export function millis(value: number): string {
	if (value >= 100) return `${whole(value)} ms`;
	if (value >= 10) return `${value.toFixed(1)} ms`;
	if (value >= 1) return `${value.toFixed(2)} ms`;
	return `${value.toFixed(3)} ms`;
}

/** 3.2× */
export function times(ratio: number): string {
	if (!Number.isFinite(ratio)) return '—';
	return ratio >= 10 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
}
