import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StoreConfig } from '../../engine/store/open';

/** What one worker process (test/support/claim-worker.js) reports. */
export interface WorkerResult {
	claimed: Array<[number, number]>;
	batches: number;
}

export interface WorkerTask {
	config: StoreConfig;
	/** The store clock inside the workers (fixed). */
	now: number;
	/** The cadence to claim from until empty, or null to only open and close the store. */
	cadence: string | null;
	limit?: number;
	/** Open the store after the starting gun instead of before it. */
	openOnGo?: boolean;
}

/**
 * Starts `n` store clients in separate `node` processes on the same location, waits until each
 * is ready, fires them all at once, and collects what each did. Any worker failing fails the race.
 */
export async function raceInProcesses(task: WorkerTask, n: number): Promise<WorkerResult[]> {
	const script = join(__dirname, 'claim-worker.js');
	const arg = JSON.stringify({ limit: 100, openOnGo: false, ...task });
	const workers = Array.from({ length: n }, () => {
		const child = spawn(process.execPath, ['--no-warnings', script, arg], {
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		let markReady = () => undefined as void;
		const ready = new Promise<void>((resolve) => (markReady = resolve));
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			stdout += chunk;
			if (stdout.startsWith('ready\n')) markReady();
		});
		child.stderr.on('data', (chunk: string) => (stderr += chunk));
		const done = new Promise<WorkerResult>((resolve, reject) => {
			child.on('error', reject);
			child.on('close', (code) => {
				const line = stdout.split('\n').find((l) => l.startsWith('{'));
				if (code !== 0 || !line) {
					reject(new Error(`store worker process exited with ${code}: ${stderr || stdout}`));
				} else {
					resolve(JSON.parse(line) as WorkerResult);
				}
			});
		});
		// A worker that dies before it is ready must not leave the race waiting forever.
		return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
	});
	try {
		await Promise.all(workers.map((w) => w.ready));
		for (const w of workers) w.child.stdin.end('go\n');
		return await Promise.all(workers.map((w) => w.done));
	} finally {
		for (const w of workers) if (w.child.exitCode === null) w.child.kill();
	}
}
