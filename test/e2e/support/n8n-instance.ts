import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	cpSync,
	createWriteStream,
	mkdtempSync,
	readFileSync,
	rmSync,
	type WriteStream,
} from 'node:fs';
import { join } from 'node:path';
import { descendantPids, killNow } from './crash';
import { e2eSetup, freePort, requireFromRuntime, waitFor } from './environment';
import type { ExecutionSummary, RunData } from './executions';
import { baseEnvironment, Fatal, lastJsonObject, live, stopProcess } from './processes';

export type { ExecutionSummary, RunData } from './executions';

/** The owner every instance gets (set from the environment, as `npm start` does). */
export const OWNER = { email: 'e2e@example.com', password: 'E2e-password-1' };

/** Settings for a silent n8n on a machine without internet (same as scripts/start.mjs). */
const QUIET = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	// (The MCP server catalogue, fetched from api.n8n.io at start, is among UNUSED_MODULES below:
	// offline that fetch is an error.)
	// Nor the list of verified community nodes, fetched when the node panel opens.
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
};

/**
 * n8n modules no test here touches (AI builders and chats, MCP, SSO and LDAP, source control,
 * log streaming, external secrets, insights…): each one is loaded and initialised at every start
 * of every process, and insights also writes after every execution. The ones that run workflows,
 * credentials and community packages stay.
 */
const UNUSED_MODULES = [
	'mcp-registry',
	'insights',
	'chat-hub',
	'mcp',
	'instance-ai',
	'agents',
	'workflow-builder',
	'quick-connect',
	'ldap',
	'sso-oidc',
	'sso-saml',
	'source-control',
	'log-streaming',
	'external-secrets',
	'otel',
	'instance-registry',
	'favorites',
	'breaking-changes',
	'workflow-reviews',
	'provisioning',
];

/** What every instance runs with: quiet and offline, and without the modules above. */
const QUIET_AND_LEAN = { ...QUIET, N8N_DISABLED_MODULES: UNUSED_MODULES.join(',') };

export interface InstanceOptions {
	/** Names the user folder and the log files. */
	name: string;
	/** Extra environment for every process of the instance (database, queue mode…). */
	env?: Record<string, string>;
	/** How many `n8n worker` processes to start beside the main one (queue mode). */
	workers?: number;
	/**
	 * A user folder whose `.n8n` is copied instead of the global setup's (e.g. one a test
	 * installed the package into with the README's commands).
	 */
	userFolderTemplate?: string;
}

export interface CreatedWorkflow {
	id: string;
	versionId: string;
	name: string;
}

/**
 * A real n8n process (and, in queue mode, its workers) with its own user folder, port, task
 * broker port and owner, this package installed under `.n8n/nodes`. Logs go to files in the user
 * folder; the last lines come with every failure.
 */
export class N8nInstance {
	readonly url: string;
	private readonly processes: Array<{ role: string; child: ChildProcess; log: WriteStream }> = [];
	private readonly tails = new Map<string, string[]>();
	private cookie = '';
	private apiKey = '';

	private constructor(
		readonly name: string,
		readonly userFolder: string,
		readonly port: number,
		private readonly env: NodeJS.ProcessEnv,
	) {
		this.url = `http://127.0.0.1:${port}`;
	}

	/** The cadence store's default SQLite file for this instance. */
	get storePath(): string {
		return join(this.userFolder, '.n8n', 'cadence', 'cadence.sqlite');
	}

	static async start(options: InstanceOptions): Promise<N8nInstance> {
		const setup = e2eSetup();
		const userFolder = mkdtempSync(join(setup.workRoot, `${options.name}-`));
		const template = options.userFolderTemplate ?? setup.templateUserFolder;
		cpSync(join(template, '.n8n'), join(userFolder, '.n8n'), { recursive: true });
		const port = await freePort();
		const bcrypt = requireFromRuntime<{ hashSync(password: string, rounds: number): string }>(
			'bcryptjs',
		);
		const env: NodeJS.ProcessEnv = {
			...baseEnvironment(),
			...QUIET_AND_LEAN,
			N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			// Workers and CLI commands decrypt the credentials the main process stored.
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
			N8N_INSTANCE_OWNER_FIRST_NAME: 'End',
			N8N_INSTANCE_OWNER_LAST_NAME: 'To-End',
			GENERIC_TIMEZONE: 'UTC',
			TZ: 'UTC',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_TASK_TIMEOUT: '60',
			...options.env,
		};
		const instance = new N8nInstance(options.name, userFolder, port, env);
		const started = Date.now();
		try {
			await instance.spawnProcess('main', ['start']);
			await instance.waitUntilReady();
			for (let i = 0; i < (options.workers ?? 0); i++) {
				await instance.spawnProcess(`worker${i + 1}`, ['worker', '--concurrency=10']);
			}
			if ((options.workers ?? 0) > 0) await instance.waitForWorkers(options.workers ?? 0);
		} catch (error) {
			await instance.stop({ keepFolder: true });
			throw instance.withLogs(error);
		}
		const workers = options.workers ? ` + ${options.workers} worker(s)` : '';
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		process.stdout.write(`[e2e] n8n "${options.name}"${workers} ready in ${seconds} s\n`);
		return instance;
	}

	/** Each process gets its own task-runner broker port: they all run a JS task runner. */
	private async spawnProcess(
		role: string,
		args: string[],
		overrides: Record<string, string> = {},
	): Promise<void> {
		const { node, n8nBin } = e2eSetup();
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...overrides };
		const child = spawn(node, [n8nBin, ...args], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		live.add(child);
		child.on('exit', () => live.delete(child));
		const log = createWriteStream(join(this.userFolder, `n8n-${role}.log`), { flags: 'a' });
		const tail: string[] = [];
		this.tails.set(role, tail);
		const keep = (chunk: Buffer) => {
			log.write(chunk);
			tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			// Enough for every line a test looks for after start-up (migrations alone print ~600).
			if (tail.length > 5000) tail.splice(0, tail.length - 5000);
		};
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
		this.processes.push({ role, child, log });
	}

	private async waitUntilReady(): Promise<void> {
		const main = this.processes[0].child;
		await waitFor(
			'n8n to accept logins',
			async () => {
				if (main.exitCode !== null) throw new Fatal(`n8n exited with code ${main.exitCode}`);
				const res = await fetch(`${this.url}/rest/login`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
				});
				// While it boots, n8n answers every request with 200 "n8n is starting up. Please wait".
				const body = await res.text();
				if (res.status !== 200 || !body.includes(OWNER.email)) return false;
				this.cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
				return true;
			},
			{ timeoutMs: 240_000, intervalMs: 500, fatal: Fatal },
		);
		const scopes = await this.rest<string[]>('GET', '/rest/api-keys/scopes');
		const key = await this.rest<{ rawApiKey: string }>('POST', '/rest/api-keys', {
			label: `e2e ${Date.now()}`,
			scopes,
			expiresAt: null,
		});
		this.apiKey = key.rawApiKey;
	}

	/** Workers print this once they take jobs from the queue. */
	private async waitForWorkers(count: number): Promise<void> {
		const workers = this.processes.filter((p) => p.role.startsWith('worker'));
		await waitFor(
			`${count} n8n worker(s) to be ready`,
			() => {
				for (const w of workers) {
					if (w.child.exitCode !== null)
						throw new Fatal(`${w.role} exited with code ${w.child.exitCode}`);
				}
				return workers.every((w) =>
					(this.tails.get(w.role) ?? []).some((line) => /n8n worker is now ready/i.test(line)),
				);
			},
			{ timeoutMs: 120_000, fatal: Fatal },
		);
	}

	/**
	 * Starts one more main process (`n8n start` on its own port) on the same database and Redis.
	 * Without n8n's multi-main licence every main process runs the active workflows' triggers, so
	 * two of them tick the same cadence at the same moments: the store's claim must keep them
	 * from handing out a step twice. Start it after activating: it activates what is active then.
	 */
	async addMain(): Promise<string> {
		const role = `main${this.processes.filter((p) => p.role.startsWith('main')).length + 1}`;
		const port = await freePort();
		await this.spawnProcess(role, ['start'], {
			N8N_PORT: String(port),
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		});
		const { child } = this.processes[this.processes.length - 1];
		const started = Date.now();
		await waitFor(
			`${role} to start`,
			() => {
				if (child.exitCode !== null) throw new Fatal(`${role} exited with code ${child.exitCode}`);
				return this.logLines(/Editor is now accessible/, role).length > 0;
			},
			{ timeoutMs: 120_000, fatal: Fatal },
		);
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		process.stdout.write(`[e2e] n8n "${this.name}" ${role} ready in ${seconds} s\n`);
		return role;
	}

	/** The main process's PID (its task runner and other children: `descendantPids`). */
	get mainPid(): number | undefined {
		return this.processes.find((p) => p.role === 'main')?.child.pid;
	}

	/**
	 * A crash: kill -9 of the main process and of every process it started (its task runner), by
	 * PID, so nothing shuts down cleanly. Returns the PIDs killed.
	 */
	async crashMain(): Promise<number[]> {
		const main = this.processes.find((p) => p.role === 'main');
		if (!main?.child.pid || main.child.exitCode !== null) return [];
		const pids = [main.child.pid, ...descendantPids(main.child.pid)];
		const exited = new Promise<void>((resolve) => main.child.once('exit', () => resolve()));
		killNow(pids);
		await exited;
		return pids;
	}

	/** Starts the main process again (after `crashMain`) on the same folder, database and port. */
	async restartMain(): Promise<void> {
		const old = this.processes.findIndex((p) => p.role === 'main');
		if (old >= 0) this.processes.splice(old, 1)[0].log.end();
		await this.spawnProcess('main', ['start']);
		this.processes.unshift(this.processes.pop()!);
		await this.waitUntilReady();
	}

	/** n8n's internal REST API, as the signed-in owner (what the editor uses). */
	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.url}${path}`, {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 2000)}`);
		const parsed = text ? JSON.parse(text) : undefined;
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** n8n's public API (/api/v1) with the owner's API key. */
	async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.url}/api/v1${path}`, {
			method,
			headers: { 'x-n8n-api-key': this.apiKey, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok)
			throw new Error(`${method} /api/v1${path} → ${res.status}: ${text.slice(0, 2000)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** A static file the editor loads once signed in, e.g. /types/nodes.json. */
	async authenticatedGet<T = unknown>(path: string): Promise<T> {
		const res = await fetch(`${this.url}${path}`, { headers: { cookie: this.cookie } });
		if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
		return (await res.json()) as T;
	}

	/**
	 * Creates a workflow through the public API. Only the fields the API accepts on create are
	 * sent, so exported workflow files (with `id`, `active`, `meta`, `tags`…) can be passed as
	 * they are; n8n assigns the id.
	 */
	async createWorkflow(workflow: {
		name: string;
		nodes: unknown[];
		connections: unknown;
		settings?: Record<string, unknown>;
	}): Promise<CreatedWorkflow> {
		const { name, nodes, connections, settings } = workflow;
		const created = await this.api<CreatedWorkflow>('POST', '/workflows', {
			name,
			nodes,
			connections,
			settings: settings ?? { executionOrder: 'v1' },
		});
		return { id: created.id, versionId: created.versionId, name: created.name };
	}

	/** Creates the workflow of a template file (e.g. examples/….json). */
	async createFromFile(file: string): Promise<CreatedWorkflow> {
		return this.createWorkflow(JSON.parse(readFileSync(file, 'utf8')));
	}

	/** Activates (publishes) a workflow: its triggers start, a Follow-up Trigger publishes. */
	async activate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`, {});
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	/**
	 * Deactivates every active workflow: a part of a test file that shares this n8n with the next
	 * part leaves no trigger of its own ticking (and loading two cores) while the next one runs.
	 */
	async deactivateAll(): Promise<void> {
		const active: Array<{ id: string }> = [];
		let cursor: string | null = null;
		do {
			const query = new URLSearchParams({ active: 'true', limit: '250' });
			if (cursor) query.set('cursor', cursor);
			const page: { data: Array<{ id: string }>; nextCursor: string | null } = await this.api(
				'GET',
				`/workflows?${query}`,
			);
			active.push(...page.data);
			cursor = page.nextCursor;
		} while (cursor);
		for (const { id } of active) await this.deactivate(id);
	}

	async createCredential(name: string, type: string, data: Record<string, unknown>) {
		const created = await this.api<{ id: string; name: string }>('POST', '/credentials', {
			name,
			type,
			data,
		});
		return { id: created.id, name: created.name };
	}

	/** All finished executions of a workflow, newest first; with their run data if asked. */
	async executions(
		workflowId: string,
		{ includeData = false, status }: { includeData?: boolean; status?: string } = {},
	): Promise<ExecutionSummary[]> {
		const all: ExecutionSummary[] = [];
		let cursor: string | null = null;
		do {
			const query = new URLSearchParams({ workflowId, limit: '250' });
			if (includeData) query.set('includeData', 'true');
			if (status) query.set('status', status);
			if (cursor) query.set('cursor', cursor);
			const page: { data: ExecutionSummary[]; nextCursor: string | null } = await this.api(
				'GET',
				`/executions?${query}`,
			);
			all.push(...page.data);
			cursor = page.nextCursor;
		} while (cursor);
		return all;
	}

	/** Waits until the workflow has at least `count` finished executions; returns them all. */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 60_000) {
		return waitFor(
			`${count} finished execution(s) of workflow ${workflowId}`,
			async () => {
				const list = await this.executions(workflowId, { includeData: true });
				const done = list.filter((e) => e.finished || e.stoppedAt);
				return done.length >= count ? done : undefined;
			},
			{ timeoutMs, intervalMs: 1000 },
		);
	}

	/**
	 * POSTs JSON to a production webhook of an active workflow; returns its response body. Right
	 * after activation the webhook may not be registered yet (in queue mode activation reaches the
	 * webhook registry asynchronously), so a "not registered" 404 is retried for a while.
	 */
	async webhook<T = unknown>(path: string, body: unknown): Promise<T> {
		return waitFor(
			`POST /webhook/${path} to be answered`,
			async () => {
				const res = await fetch(`${this.url}/webhook/${path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
				const text = await res.text();
				if (res.status === 404 && text.includes('not registered')) return undefined;
				if (!res.ok) {
					throw new Fatal(`POST /webhook/${path} → ${res.status}: ${text.slice(0, 2000)}`);
				}
				return { body: (text ? JSON.parse(text) : undefined) as T };
			},
			{ timeoutMs: 30_000, intervalMs: 500, fatal: Fatal },
		).then((answer) => answer.body);
	}

	/**
	 * Runs a workflow headless with `n8n execute --id=… --rawOutput` in a separate process beside
	 * the server (same user folder and database; its own task broker port), as a cron job or a
	 * script would. Returns the run, or fails with what n8n printed.
	 */
	async executeCli(workflowId: string): Promise<RunData> {
		const { node, n8nBin } = e2eSetup();
		// The run is printed through n8n's logger at info level: a quieter level would hide it.
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		const { code, output } = await new Promise<{ code: number | null; output: string }>(
			(resolve, reject) => {
				const child = spawn(node, [n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'], {
					cwd: this.userFolder,
					env,
					stdio: ['ignore', 'pipe', 'pipe'],
				});
				live.add(child);
				const chunks: Buffer[] = [];
				child.stdout.on('data', (c: Buffer) => chunks.push(c));
				child.stderr.on('data', (c: Buffer) => chunks.push(c));
				child.on('error', reject);
				child.on('close', (exitCode) => {
					live.delete(child);
					resolve({ code: exitCode, output: Buffer.concat(chunks).toString('utf8') });
				});
			},
		);
		const run = code === 0 ? lastJsonObject(output) : undefined;
		if (!run) {
			throw new Error(
				`n8n execute --id=${workflowId} exited with ${code}:\n${output.slice(-4000)}`,
			);
		}
		return (run as { data: RunData }).data;
	}

	/** The last lines each process printed, for failure messages. */
	logTail(lines = 60): string {
		return [...this.tails.entries()]
			.map(
				([role, tail]) =>
					`--- n8n ${role} (${this.name}), last lines ---\n${tail.slice(-lines).join('\n')}`,
			)
			.join('\n');
	}

	withLogs(error: unknown): Error {
		const message = error instanceof Error ? error.message : String(error);
		const keep =
			process.env.CADENCE_E2E_KEEP === '1' ? '' : '; rerun with CADENCE_E2E_KEEP=1 to keep it';
		return new Error(`${message}\n${this.logTail()}\n(user folder ${this.userFolder}${keep})`);
	}

	/** Lines a process (or any) printed that match, e.g. load errors of this package. */
	logLines(pattern: RegExp, role?: string): string[] {
		const lines = role ? (this.tails.get(role) ?? []) : [...this.tails.values()].flat();
		return lines.filter((line) => pattern.test(line));
	}

	/** Stops workers first (they finish their jobs), then the main process; removes the folder. */
	async stop({ keepFolder = process.env.CADENCE_E2E_KEEP === '1' } = {}): Promise<void> {
		for (const p of [...this.processes].reverse()) await stopProcess(p.child);
		for (const p of this.processes) p.log.end();
		if (!keepFolder) rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * Wraps a test body so that its failure also shows the last lines n8n printed. `instance` is read
 * only when the body fails, so a file can set this up before its `beforeAll` starts n8n.
 */
export function withLogsOf(
	instance: () => N8nInstance | undefined,
): (body: () => Promise<void>) => () => Promise<void> {
	return (body) => async () => {
		try {
			await body();
		} catch (error) {
			throw instance()?.withLogs(error) ?? error;
		}
	};
}
