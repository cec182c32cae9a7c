import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';

/**
 * What the e2e global setup (global-setup.mjs) prepared, handed to the test files through the
 * environment: the pinned n8n, Node 24 to run it with, and a user folder template that holds
 * this package installed the way Settings → Community Nodes installs it.
 */
export interface E2eSetup {
	runtimeDir: string;
	n8nBin: string;
	node: string;
	/** A user folder with only `.n8n/nodes` in it (the package and n8n's ledger). */
	templateUserFolder: string;
	/** Where instances put their user folders; removed after the run. */
	workRoot: string;
	packageVersion: string;
}

export function e2eSetup(): E2eSetup {
	const raw = process.env.CADENCE_E2E_SETUP;
	if (!raw) {
		throw new Error(
			'The end-to-end setup did not run: use `npm run test:e2e` (jest -c jest.e2e.config.js).',
		);
	}
	return JSON.parse(raw) as E2eSetup;
}

/** A module from the n8n runtime's own node_modules (bcryptjs, flatted…), not the package's. */
export function requireFromRuntime<T>(name: string): T {
	const runtimeRequire = createRequire(join(e2eSetup().runtimeDir, 'package.json'));
	return runtimeRequire(name) as T;
}

/** A TCP port nothing listens on right now, chosen by the OS. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Whether something answers Redis's PING on host:port within the timeout. */
export async function redisAnswers(host = '127.0.0.1', port = 6379, timeoutMs = 2000) {
	return new Promise<boolean>((resolve) => {
		const socket = new Socket();
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.once('error', () => done(false));
		socket.connect(port, host, () => socket.write('PING\r\n'));
		socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
	});
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false, or fails naming `what`.
 * A probe that throws is retried (the server may not be up yet), unless the error is a `fatal`
 * one, such as the process having exited: waiting longer could not help then.
 */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined | false> | T | undefined | false,
	{
		timeoutMs = 60_000,
		intervalMs = 500,
		fatal,
	}: { timeoutMs?: number; intervalMs?: number; fatal?: new (...args: any[]) => Error } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value as T;
		} catch (error) {
			if (fatal && error instanceof fatal) throw error;
			lastError = error;
		}
		if (Date.now() > deadline) {
			const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
		}
		await sleep(intervalMs);
	}
}
