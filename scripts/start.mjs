// `npm start`: a ready n8n on http://127.0.0.1:5678 with this package installed the way
// Settings → Community Nodes installs it, and the example templates imported.
//
//   1. the pinned n8n runtime (installed once into .n8n-runtime/, scripts/n8n-runtime.mjs)
//   2. build → npm pack → unpack into .n8n/.n8n/nodes/node_modules/n8n-nodes-cadence
//      → npm install its runtime dependencies there (scripts/n8n-package.mjs)
//   3. import examples/*.json (new or changed files only, so edits made in the editor survive)
//   4. record the package in n8n's database as its installer does, so Settings → Community Nodes
//      lists it and can update or uninstall it (scripts/n8n-record-package.mjs)
//   5. `n8n start` with the owner set from the environment, on n8n's embedded SQLite database;
//      Ctrl+C stops it cleanly (n8n gets exactly one stop signal, see forwardStopSignalsOnce)
//
// Settings (environment): CADENCE_N8N_PORT (5678), CADENCE_N8N_EMAIL, CADENCE_N8N_PASSWORD,
// CADENCE_N8N_HOME (.n8n: n8n's user folder with its data, the cadence store and the package),
// CADENCE_N8N_TEMPLATES (examples: the folder whose *.json files are imported),
// CADENCE_N8N_BUILD (0: pack the dist/ that is there instead of building first).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildAndInstall, databaseFile, recordInstalledPackage } from './n8n-package.mjs';
import { ensureRuntime, pathWithNode24, ROOT } from './n8n-runtime.mjs';

const PORT = Number(process.env.CADENCE_N8N_PORT || 5678);
const BROKER_PORT = Number(process.env.CADENCE_N8N_RUNNERS_BROKER_PORT || PORT + 1);
const EMAIL = process.env.CADENCE_N8N_EMAIL || 'demo@example.com';
const PASSWORD = process.env.CADENCE_N8N_PASSWORD || 'Cadence-demo-1';
// .n8n/ is already ignored by git and ESLint (n8n writes its editor's static files in there).
const HOME = resolve(process.env.CADENCE_N8N_HOME || join(ROOT, '.n8n'));
const TEMPLATES = resolve(process.env.CADENCE_N8N_TEMPLATES || join(ROOT, 'examples'));
const URL = `http://127.0.0.1:${PORT}`;
/** Which template files were imported, by content hash: a changed file is imported again. */
const IMPORTED = join(HOME, 'imported-templates.json');

function step(message) {
	process.stdout.write(`\n▶ ${message}\n`);
}

function portIsFree(port) {
	return new Promise((resolvePromise) => {
		const server = createServer();
		server.once('error', () => resolvePromise(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
	});
}

function n8nEnvironment(runtime) {
	const bcrypt = createRequire(join(runtime.dir, 'package.json'))('bcryptjs');
	const env = { ...process.env };
	// An n8n configured elsewhere in this shell (another database, queue mode) must not leak in.
	for (const key of Object.keys(env)) {
		if (/^(DB_|QUEUE_|EXECUTIONS_MODE$)/.test(key)) delete env[key];
	}
	return {
		...env,
		PATH: pathWithNode24(),
		NODE_ENV: 'production',
		N8N_USER_FOLDER: HOME,
		N8N_PORT: String(PORT),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(BROKER_PORT),
		// Plain http on this machine only: a secure cookie would need https.
		N8N_SECURE_COOKIE: 'false',
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: EMAIL,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 10),
		N8N_INSTANCE_OWNER_FIRST_NAME: 'Cadence',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Demo',
		// Quiet: no telemetry, no update checks or template gallery calls, no onboarding survey,
		// and no MCP server catalogue fetched from n8n's servers at every start.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		// …nor the list of verified community nodes (this package is installed locally anyway).
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		// This package is an unverified community package (it has runtime dependencies).
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	};
}

function templateFiles() {
	const dir = TEMPLATES;
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => join(dir, name));
}

/** Imports the templates that are new or changed since the last start, in one n8n command. */
function importTemplates(runtime, env) {
	const files = templateFiles();
	if (files.length === 0) return;
	let done = {};
	try {
		done = JSON.parse(readFileSync(IMPORTED, 'utf8'));
	} catch {
		// First start.
	}
	const hashOf = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
	const pending = files.filter((file) => done[file] !== hashOf(file));
	if (pending.length === 0) {
		step(`Templates: all ${files.length} already imported`);
		return;
	}
	step(`Importing ${pending.length} template(s) from ${TEMPLATES}`);
	const staging = join(HOME, '.import');
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	for (const file of pending) writeFileSync(join(staging, basename(file)), readFileSync(file));
	const result = spawnSync(
		runtime.node,
		[runtime.n8nBin, 'import:workflow', '--separate', `--input=${staging}`],
		{ cwd: HOME, env, encoding: 'utf8' },
	);
	rmSync(staging, { recursive: true, force: true });
	if (result.status !== 0) {
		throw new Error(`Importing the templates failed:\n${result.stdout}\n${result.stderr}`);
	}
	for (const file of pending) done[file] = hashOf(file);
	writeFileSync(IMPORTED, `${JSON.stringify(done, null, '\t')}\n`);
	for (const file of pending) process.stdout.write(`  imported ${basename(file)}\n`);
}

/**
 * The installer's last step: the package recorded in n8n's database. The database exists once
 * any n8n command ran (the template import creates it); without templates a harmless command
 * creates it.
 */
function recordAsCommunityPackage(runtime, env) {
	if (!existsSync(databaseFile(HOME))) {
		const result = spawnSync(runtime.node, [runtime.n8nBin, 'list:workflow'], {
			cwd: HOME,
			env,
			encoding: 'utf8',
		});
		if (result.status !== 0) {
			throw new Error(`Creating n8n's database failed:\n${result.stdout}\n${result.stderr}`);
		}
	}
	const nodeTypes = recordInstalledPackage(HOME, runtime);
	process.stdout.write(
		`  listed under Settings → Community Nodes with ${nodeTypes.length} nodes\n`,
	);
}

/**
 * n8n stops cleanly on the first SIGINT or SIGTERM and handles only that one (`process.once`): a
 * second signal kills it mid-shutdown, and its next start reports "Last session crashed". This
 * script may receive the same stop several times (the terminal's Ctrl+C, and npm passing it on
 * again), so n8n, in its own process group, gets the first one only. A closed terminal (SIGHUP)
 * stops it too; if this script ends first, n8n is not left behind.
 */
function forwardStopSignalsOnce(child) {
	let forwarded = false;
	const stop = (signal) => {
		if (forwarded) return;
		forwarded = true;
		process.stdout.write(`\n▶ Stopping n8n (it finishes running executions first)…\n`);
		child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
	process.on('exit', () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
	});
}

/** n8n answers 200 "starting up" while it boots; a login that returns the owner means ready. */
async function waitUntilReady(child) {
	for (;;) {
		if (child.exitCode !== null) return false;
		try {
			const res = await fetch(`${URL}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ emailOrLdapLoginId: EMAIL, password: PASSWORD }),
			});
			if (res.ok && (await res.text()).includes(EMAIL)) return true;
		} catch {
			// Not listening yet.
		}
		await new Promise((r) => setTimeout(r, 1000));
	}
}

async function main() {
	const started = Date.now();
	for (const [port, what] of [
		[PORT, 'CADENCE_N8N_PORT'],
		[BROKER_PORT, 'CADENCE_N8N_RUNNERS_BROKER_PORT'],
	]) {
		if (!(await portIsFree(port))) {
			throw new Error(
				`Port ${port} on 127.0.0.1 is in use (another n8n?). Stop it, or pick another with ${what}=…`,
			);
		}
	}
	step(`n8n runtime`);
	const runtime = await ensureRuntime();

	step('Building n8n-nodes-cadence and installing it as a community package');
	mkdirSync(HOME, { recursive: true });
	const version = buildAndInstall(HOME, { build: process.env.CADENCE_N8N_BUILD !== '0' });
	process.stdout.write(`  n8n-nodes-cadence ${version} → ${join(HOME, '.n8n', 'nodes')}\n`);

	const env = n8nEnvironment(runtime);
	importTemplates(runtime, env);
	recordAsCommunityPackage(runtime, env);

	step(`Starting n8n ${runtime.version} (data in ${HOME})`);
	// Its own process group, so a terminal's Ctrl+C reaches only this script, which passes it on
	// once. No stdin: n8n would switch a terminal it does not own into raw mode.
	const child = spawn(runtime.node, [runtime.n8nBin, 'start'], {
		cwd: HOME,
		env,
		stdio: ['ignore', 'inherit', 'inherit'],
		detached: true,
	});
	forwardStopSignalsOnce(child);
	child.on('exit', (code, signal) => {
		process.exitCode = code ?? (signal ? 1 : 0);
	});
	if (await waitUntilReady(child)) {
		const seconds = Math.round((Date.now() - started) / 1000);
		process.stdout.write(
			[
				'',
				'────────────────────────────────────────────────────────────',
				` n8n with n8n-nodes-cadence is ready (${seconds} s)`,
				`   open      ${URL}`,
				`   email     ${EMAIL}`,
				`   password  ${PASSWORD}`,
				'   templates Overview → Workflows; the cadence nodes are in the node panel',
				'   stop      Ctrl+C',
				'────────────────────────────────────────────────────────────',
				'',
			].join('\n'),
		);
	}
}

main().catch((error) => {
	process.stderr.write(`\nnpm start: ${error.message}\n`);
	process.exitCode = 1;
});
