import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSetup, freePort, waitFor } from './support/environment';
import { baseEnvironment, Fatal, live } from './support/processes';

/**
 * `npm start` as a person uses it (scripts/start.mjs, the real n8n): the package shows under
 * Settings → Community Nodes like one n8n's installer put there, and Ctrl+C in the terminal stops
 * n8n cleanly, so the next start does not report a crash.
 */
const ROOT = join(__dirname, '..', '..');
const packageJson = require(join(ROOT, 'package.json')) as {
	name: string;
	version: string;
	n8n: { nodes: string[] };
};
const LOGIN = { emailOrLdapLoginId: 'demo@example.com', password: 'Cadence-demo-1' };

interface StartRun {
	child: ChildProcess;
	output: string[];
	exited: Promise<number | null>;
}

let home: string;
let env: NodeJS.ProcessEnv;
let url: string;

beforeAll(async () => {
	const setup = e2eSetup();
	const root = join(setup.workRoot, `start-${Date.now()}`);
	home = join(root, 'home');
	// One template (the smallest) keeps the import step without importing them all.
	const templates = join(root, 'templates');
	mkdirSync(templates, { recursive: true });
	const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
	const smallest = examples.sort(
		(a, b) => statSync(join(ROOT, 'examples', a)).size - statSync(join(ROOT, 'examples', b)).size,
	)[0];
	copyFileSync(join(ROOT, 'examples', smallest), join(templates, smallest));
	const port = await freePort();
	url = `http://127.0.0.1:${port}`;
	env = {
		...baseEnvironment(),
		CADENCE_N8N_HOME: home,
		CADENCE_N8N_PORT: String(port),
		CADENCE_N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		CADENCE_N8N_TEMPLATES: templates,
		// The global setup has just built dist/.
		CADENCE_N8N_BUILD: '0',
		// The runtime the global setup found (CADENCE_N8N_RUNTIME_DIR, which baseEnvironment drops),
		// not a second 3 GB install under this checkout's .n8n-runtime/.
		CADENCE_N8N_RUNTIME_DIR: setup.runtimeDir,
	};
});

/**
 * `node scripts/start.mjs` as the foreground job of a terminal: the leader of its own process
 * group, which is what a terminal's Ctrl+C signals as a whole.
 */
async function startScript(): Promise<StartRun> {
	const child = spawn(e2eSetup().node, [join(ROOT, 'scripts', 'start.mjs')], {
		cwd: ROOT,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	live.add(child);
	const output: string[] = [];
	const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n'));
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<number | null>((resolve) =>
		child.on('exit', (code) => {
			live.delete(child);
			resolve(code);
		}),
	);
	await waitFor(
		'npm start to print that n8n is ready',
		() => {
			if (child.exitCode !== null) {
				throw new Fatal(`start.mjs exited with ${child.exitCode}:\n${output.join('\n')}`);
			}
			return output.some((line) => line.includes('is ready'));
		},
		{ timeoutMs: 170_000, intervalMs: 500, fatal: Fatal },
	);
	return { child, output, exited };
}

/** Ctrl+C: SIGINT to the whole process group, then once more from npm, which passes it on. */
async function pressCtrlC(run: StartRun): Promise<number | null> {
	process.kill(-(run.child.pid as number), 'SIGINT');
	setTimeout(() => run.child.exitCode === null && run.child.kill('SIGINT'), 50);
	const timer = setTimeout(() => process.kill(-(run.child.pid as number), 'SIGKILL'), 60_000);
	const code = await run.exited;
	clearTimeout(timer);
	return code;
}

async function signIn(): Promise<string> {
	const res = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(LOGIN),
	});
	expect(res.status).toBe(200);
	return (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}

interface ListedPackage {
	packageName: string;
	installedVersion: string;
	failedLoading: boolean;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
}

/** What Settings → Community Nodes shows: n8n's GET /rest/community-packages. */
async function communityPackages(cookie: string): Promise<ListedPackage[]> {
	const res = await fetch(`${url}/rest/community-packages`, { headers: { cookie } });
	expect(res.status).toBe(200);
	return ((await res.json()) as { data: ListedPackage[] }).data;
}

const crashJournal = () => join(home, '.n8n', 'crash.journal');

test('Settings → Community Nodes lists the package and its nodes; Ctrl+C stops n8n cleanly; a restart reports no crash; n8n can uninstall it', async () => {
	const first = await startScript();
	let cookie = await signIn();
	const [listed, ...others] = await communityPackages(cookie);
	expect(others).toEqual([]);
	expect(listed).toMatchObject({
		packageName: packageJson.name,
		installedVersion: packageJson.version,
		failedLoading: false,
	});
	// One row per node of package.json, typed the way the editor resolves them.
	const nodeTypes = await (await fetch(`${url}/types/nodes.json`, { headers: { cookie } })).json();
	const loadedTypes = new Set(
		(nodeTypes as Array<{ name: string }>)
			.map((n) => n.name)
			.filter((name) => name.startsWith(`${packageJson.name}.`)),
	);
	expect(listed.installedNodes).toHaveLength(packageJson.n8n.nodes.length);
	for (const node of listed.installedNodes) {
		expect(loadedTypes.has(node.type)).toBe(true);
		expect(node.name).not.toBe('');
	}
	expect(existsSync(crashJournal())).toBe(true); // n8n keeps it while it runs

	expect(await pressCtrlC(first)).toBe(0);
	expect(first.output.join('\n')).toMatch(/Received SIGINT\. Shutting down/);
	expect(existsSync(crashJournal())).toBe(false);

	const second = await startScript();
	expect(second.output.join('\n')).not.toMatch(/Last session crashed/);
	cookie = await signIn();
	// Recorded again on every start, never twice.
	expect((await communityPackages(cookie)).map((p) => p.packageName)).toEqual([packageJson.name]);

	// Uninstalling through n8n works as for any installed package.
	const res = await fetch(`${url}/rest/community-packages?name=${packageJson.name}`, {
		method: 'DELETE',
		headers: { cookie },
	});
	expect(res.status).toBe(200);
	expect(await communityPackages(cookie)).toEqual([]);
	expect(existsSync(join(home, '.n8n', 'nodes', 'node_modules', packageJson.name))).toBe(false);

	expect(await pressCtrlC(second)).toBe(0);
	expect(existsSync(crashJournal())).toBe(false);
}, 600_000);
