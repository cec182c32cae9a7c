import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { e2eSetup } from './environment';

/** An error that waiting longer cannot fix (a process exited): `waitFor` gives up at once. */
export class Fatal extends Error {}

/**
 * The pretty-printed JSON object in the output (log lines may come before it, and after it: the
 * task runner's "Registered runner" line can print once the object is out). Tries each `{` line
 * as a start, nearest the top first, with each `}` line after it as the end, furthest first.
 */
export function lastJsonObject(output: string): unknown {
	const starts = [...output.matchAll(/^\{$/gm)].map((m) => m.index ?? 0);
	const ends = [...output.matchAll(/^\}$/gm)].map((m) => (m.index ?? 0) + 1).reverse();
	for (const start of starts) {
		for (const end of ends) {
			if (end <= start) break;
			try {
				return JSON.parse(output.slice(start, end));
			} catch {
				// Not a whole object; try a nearer end, then the next start.
			}
		}
	}
	return undefined;
}

/** Strips what would make n8n think it runs under test or point it at another database. */
export function baseEnvironment(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|JEST_|CADENCE_)/.test(key)) continue;
		env[key] = value;
	}
	// jest sets NODE_ENV=test, and n8n refuses to load nodes when it sees that.
	env.NODE_ENV = 'production';
	// Node 24 first, for n8n's task runner child processes too.
	env.PATH = `${join(e2eSetup().node, '..')}:${process.env.PATH ?? ''}`;
	return env;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill('SIGTERM');
	// n8n finishes running executions on SIGTERM; one that hangs gets SIGKILL after 20 s.
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	await exited;
	clearTimeout(timer);
}

/** Every process started here, killed if the test process exits without stopping them. */
export const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});
