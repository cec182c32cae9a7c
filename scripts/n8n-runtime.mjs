// The pinned n8n that `npm start` and the end-to-end suite run: installed once into
// `.n8n-runtime/` at the repository root, never into the package's own dependencies (n8n is
// ~2,300 packages and 3 GB; the package must not depend on it).
//
//   node scripts/n8n-runtime.mjs           install when missing (progress shown), print where
//   node scripts/n8n-runtime.mjs --check   exit 0 when installed, 1 when not; installs nothing
//
// Other scripts import `ensureRuntime()` and `runtimeInfo()` from here.
// CADENCE_N8N_RUNTIME_DIR puts the runtime elsewhere (e.g. a bigger disk, or a shared cache).
import { spawn, spawnSync } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statfsSync,
	writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const N8N_VERSION = '2.41.1';
/** n8n 2.41.1 resolves linkedom to a release that does not load; 0.18.14 does. */
const OVERRIDES = { linkedom: '0.18.14' };
/**
 * The lock of a verified install (from this registry). With it every fresh machine gets exactly
 * the same 2,300 packages, not whatever versions were newest that day.
 */
const LOCK_TEMPLATE = join(ROOT, 'scripts', 'n8n-runtime.package-lock.json');
/** An install takes about 3 GB; a margin on top, so a nearly full disk fails here, not midway. */
const NEEDED_BYTES = 4 * 1024 ** 3;
const MARKER = '.installed';

export function runtimeDir() {
	return resolve(process.env.CADENCE_N8N_RUNTIME_DIR || join(ROOT, '.n8n-runtime'));
}

/**
 * n8n 2.x needs Node 24. The `node` devDependency ships it; npm scripts already have it first on
 * PATH, but these scripts may also be started with an older `node` directly.
 */
export function node24() {
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	const candidate = join(ROOT, 'node_modules', 'node', 'bin', 'node');
	if (existsSync(candidate)) return candidate;
	throw new Error(
		`n8n ${N8N_VERSION} needs Node.js 24 or newer; this is ${process.version} and ` +
			'node_modules/node (the Node 24 devDependency) is missing. Run `npm install` first.',
	);
}

/** PATH with Node 24 first, so npm, node-gyp and n8n's own child processes all run on it. */
export function pathWithNode24(path = process.env.PATH ?? '') {
	return `${dirname(node24())}:${path}`;
}

export function runtimeInfo(dir = runtimeDir()) {
	return {
		dir,
		node: node24(),
		n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		version: N8N_VERSION,
	};
}

export function isInstalled(dir = runtimeDir()) {
	try {
		const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
		return marker.n8n === N8N_VERSION && existsSync(runtimeInfo(dir).n8nBin);
	} catch {
		return false;
	}
}

function log(message) {
	process.stdout.write(`[n8n-runtime] ${message}\n`);
}

function freeBytes(dir) {
	let probe = dir;
	while (!existsSync(probe)) probe = dirname(probe);
	const stats = statfsSync(probe);
	return stats.bavail * stats.bsize;
}

const gib = (bytes) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** How many packages the lock holds: the "of N" in the progress lines (0 when unknown). */
function lockedPackageCount(lockFile) {
	try {
		const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
		return Object.keys(lock.packages ?? {}).filter((key) => key !== '').length;
	} catch {
		return 0;
	}
}

/**
 * Runs npm with its output going to the install log (npm draws no progress bar without a
 * terminal), printing a progress line every 15 s meanwhile and the log's tail when it fails.
 * With `--loglevel=http` npm logs one line per package tarball it fetches or finds in its cache:
 * those lines are the progress count.
 */
function npm(args, { cwd, env, label, logFile, total = 0 }) {
	return new Promise((resolvePromise, reject) => {
		const started = Date.now();
		const out = [];
		let tarballs = 0;
		const child = spawn('npm', [...args, '--loglevel=http'], {
			cwd,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const keep = (chunk) => {
			out.push(chunk);
			tarballs += (chunk.toString('utf8').match(/\.tgz /g) ?? []).length;
			writeFileSync(logFile, chunk, { flag: 'a' });
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		const timer = setInterval(() => {
			const seconds = Math.round((Date.now() - started) / 1000);
			const count =
				tarballs > 0 ? `, ${tarballs}${total ? ` of ${total}` : ''} packages fetched` : '';
			log(`${label}… ${seconds} s${count}`);
		}, 15_000);
		child.on('error', (error) => {
			clearInterval(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearInterval(timer);
			const seconds = Math.round((Date.now() - started) / 1000);
			if (code === 0) {
				log(`${label}: done in ${seconds} s`);
				resolvePromise();
				return;
			}
			const tail = Buffer.concat(out)
				.toString('utf8')
				.split('\n')
				.filter((line) => !line.startsWith('npm http '))
				.slice(-30)
				.join('\n');
			reject(new Error(`${label} failed (npm exited with ${code}). Last lines:\n${tail}`));
		});
	});
}

/**
 * Where node-gyp finds Node 24's headers to build sqlite3 (n8n's own database driver): the
 * `node` devDependency normally leaves its platform package, headers included, under
 * node_modules/node/node_modules. Some npm versions remove it after copying the binary; then the
 * same package (same version) is installed beside the runtime, once, for its headers. Without
 * headers node-gyp would try to download them, which fails on a machine without internet.
 */
async function nodeHeadersDir(dir, env, logFile) {
	const platformPackage = `node-${process.platform}-${process.arch}`;
	const shipped = join(ROOT, 'node_modules', 'node', 'node_modules', platformPackage);
	if (existsSync(join(shipped, 'include', 'node', 'node_api.h'))) return shipped;
	const version = spawnSync(node24(), ['-p', 'process.versions.node'], {
		encoding: 'utf8',
	}).stdout.trim();
	const headersRoot = join(dir, '.node-headers');
	const local = join(headersRoot, 'node_modules', platformPackage);
	if (!existsSync(join(local, 'include', 'node', 'node_api.h'))) {
		mkdirSync(headersRoot, { recursive: true });
		writeFileSync(join(headersRoot, 'package.json'), '{ "private": true }\n');
		await npm(
			['install', `${platformPackage}@${version}`, '--ignore-scripts', '--no-audit', '--no-fund'],
			{ cwd: headersRoot, env, label: `fetching Node ${version} headers`, logFile },
		);
	}
	return local;
}

/** A second `ensureRuntime` (another terminal, a test run) waits for the first one. */
async function withLock(dir, work) {
	const lock = join(dir, '.install-lock');
	mkdirSync(dir, { recursive: true });
	for (let waited = 0; ; waited++) {
		try {
			mkdirSync(lock);
			writeFileSync(join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			const holder = Number(readFileSafe(join(lock, 'pid')));
			if (!holder || !alive(holder)) {
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (waited % 15 === 0) log(`another install (process ${holder}) is running; waiting for it`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await work();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

function readFileSafe(file) {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** Installs the pinned n8n when it is not there yet (or is another version); returns where. */
export async function ensureRuntime() {
	const dir = runtimeDir();
	if (isInstalled(dir)) {
		log(`n8n ${N8N_VERSION} is installed in ${dir}`);
		return runtimeInfo(dir);
	}
	return withLock(dir, async () => {
		// Someone else may have finished while this one waited for the lock.
		if (isInstalled(dir)) return runtimeInfo(dir);
		const free = freeBytes(dir);
		if (free < NEEDED_BYTES && !existsSync(join(dir, 'node_modules', 'n8n'))) {
			throw new Error(
				`Installing n8n ${N8N_VERSION} needs about 3 GB of disk; ${dir} has ${gib(free)} free. ` +
					'Free some space, or set CADENCE_N8N_RUNTIME_DIR to a folder on a bigger disk.',
			);
		}
		const started = Date.now();
		log(`installing n8n ${N8N_VERSION} into ${dir} (once; about 5 minutes and 3 GB)`);
		const logFile = join(dir, 'install.log');
		writeFileSync(logFile, '');
		rmSync(join(dir, MARKER), { force: true });
		const packageJson = {
			name: 'cadence-n8n-runtime',
			private: true,
			description:
				'The n8n that `npm start` and the end-to-end tests run (scripts/n8n-runtime.mjs)',
			dependencies: { n8n: N8N_VERSION },
			overrides: OVERRIDES,
			allowScripts: { sqlite3: true },
		};
		writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, '\t')}\n`);
		if (existsSync(LOCK_TEMPLATE) && !existsSync(join(dir, 'package-lock.json'))) {
			copyFileSync(LOCK_TEMPLATE, join(dir, 'package-lock.json'));
		}
		const env = { ...process.env, PATH: pathWithNode24() };
		// --ignore-scripts: n8n's optional native add-ons (isolated-vm, cpu-features, sentry
		// profilers…) take many minutes to build or fail offline, and n8n runs without them.
		await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: dir,
			env,
			label: `npm install n8n@${N8N_VERSION}`,
			logFile,
			total: lockedPackageCount(join(dir, 'package-lock.json')),
		});
		// …except sqlite3, n8n's database driver for its default SQLite database: built against
		// Node 24 (it is an N-API add-on, so any Node 24 headers will do).
		const nodedir = await nodeHeadersDir(dir, env, logFile);
		await npm(['rebuild', 'sqlite3'], {
			cwd: dir,
			env: { ...env, npm_config_nodedir: nodedir },
			label: 'building sqlite3 for Node 24',
			logFile,
		});
		const check = spawnSync(node24(), ['-e', "require('sqlite3')"], { cwd: dir, encoding: 'utf8' });
		if (check.status !== 0) {
			throw new Error(`sqlite3 was built but does not load:\n${check.stderr}`);
		}
		const marker = {
			n8n: N8N_VERSION,
			overrides: OVERRIDES,
			installedAt: new Date().toISOString(),
		};
		writeFileSync(join(dir, `${MARKER}.tmp`), `${JSON.stringify(marker, null, '\t')}\n`);
		renameSync(join(dir, `${MARKER}.tmp`), join(dir, MARKER));
		log(`n8n ${N8N_VERSION} ready in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
		return runtimeInfo(dir);
	});
}

const invokedDirectly =
	process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
	if (process.argv.includes('--check')) {
		const installed = isInstalled();
		log(installed ? `n8n ${N8N_VERSION} is installed` : `n8n ${N8N_VERSION} is not installed`);
		process.exitCode = installed ? 0 : 1;
	} else {
		ensureRuntime().catch((error) => {
			process.stderr.write(`[n8n-runtime] ${error.message}\n`);
			process.exitCode = 1;
		});
	}
}
