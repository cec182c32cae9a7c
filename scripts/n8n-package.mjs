// Builds this package and installs it into an n8n user folder exactly the way n8n's Settings →
// Community Nodes does (n8n 2.41 CommunityPackagesService.downloadPackage): `npm pack`, unpack
// into `<user folder>/.n8n/nodes/node_modules/<name>`, drop dev/peer/optional dependencies from
// its package.json, `npm install` its runtime dependencies there without scripts, and record it
// in the folder's `package.json` ledger. n8n then finds it at start-up (it scans that folder for
// `n8n-nodes-*`), so the node types are `n8n-nodes-cadence.<name>`, as for a self-hoster.
// `recordInstalledPackage` then does the installer's last step, recording the package in n8n's
// database, so Settings → Community Nodes lists it (and can update or uninstall it).
//
// Used by scripts/start.mjs and the end-to-end suite's global setup.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathWithNode24, ROOT } from './n8n-runtime.mjs';

export const PACKAGE_NAME = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;

/** The same flags n8n passes when it installs a community package's dependencies. */
const N8N_INSTALL_FLAGS = [
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

function run(command, args, { cwd = ROOT, what } = {}) {
	const result = spawnSync(command, args, {
		cwd,
		encoding: 'utf8',
		env: { ...process.env, PATH: pathWithNode24() },
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.status !== 0) {
		const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40);
		throw new Error(`${what ?? `${command} ${args.join(' ')}`} failed:\n${output.join('\n')}`);
	}
	return result.stdout;
}

/** `npm run build`: what the tarball ships is dist/, so it must be current. */
export function buildPackage() {
	run('npm', ['run', 'build', '--silent'], { what: 'npm run build' });
}

/** `npm pack` into `destination`; returns the tarball's path. */
export function packPackage(destination) {
	mkdirSync(destination, { recursive: true });
	const out = run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
		{
			what: 'npm pack',
		},
	);
	// npm may print lifecycle output before the JSON; the JSON is the last thing it prints.
	const [info] = JSON.parse(out.slice(out.indexOf('[')));
	return join(destination, info.filename);
}

export function nodesFolder(userFolder) {
	return join(userFolder, '.n8n', 'nodes');
}

export function installedPackageDir(userFolder) {
	return join(nodesFolder(userFolder), 'node_modules', PACKAGE_NAME);
}

/**
 * Installs the tarball into the user folder as n8n would, replacing an earlier copy. Returns the
 * installed version.
 */
export function installTarball(tarball, userFolder) {
	const target = installedPackageDir(userFolder);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { what: 'unpacking' });
	const packageJsonPath = join(target, 'package.json');
	const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
	for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) {
		delete packageJson[field];
	}
	writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2), 'utf8');
	run('npm', ['install', ...N8N_INSTALL_FLAGS], {
		cwd: target,
		what: `npm install of ${PACKAGE_NAME}'s dependencies`,
	});
	writeLedger(userFolder, packageJson.version);
	return packageJson.version;
}

/** n8n keeps a package.json beside node_modules listing what it installed. */
function writeLedger(userFolder, version) {
	const file = join(nodesFolder(userFolder), 'package.json');
	let ledger = { name: 'installed-nodes', private: true, dependencies: {} };
	try {
		const existing = JSON.parse(readFileSync(file, 'utf8'));
		if (existing && typeof existing.dependencies === 'object') ledger = existing;
	} catch {
		// None yet.
	}
	ledger.dependencies[PACKAGE_NAME] = version;
	writeFileSync(file, JSON.stringify(ledger, null, 2), 'utf8');
}

/** n8n's SQLite database in a user folder (the default database, which `npm start` uses). */
export function databaseFile(userFolder) {
	return join(userFolder, '.n8n', 'database.sqlite');
}

/**
 * Records the installed package in the user folder's n8n database the way n8n's installer does
 * (scripts/n8n-record-package.mjs). The database must exist (any n8n command creates it) and n8n
 * must not be running. Returns the recorded node types.
 */
export function recordInstalledPackage(userFolder, runtime) {
	const result = spawnSync(
		runtime.node,
		[
			'--disable-warning=ExperimentalWarning',
			join(ROOT, 'scripts', 'n8n-record-package.mjs'),
			runtime.dir,
			installedPackageDir(userFolder),
			databaseFile(userFolder),
		],
		{
			encoding: 'utf8',
			// The package's nodes require n8n-workflow, which n8n provides from its own folder.
			env: { ...process.env, NODE_PATH: join(runtime.dir, 'node_modules') },
		},
	);
	if (result.status !== 0) {
		throw new Error(
			`Recording ${PACKAGE_NAME} in n8n's database failed:\n${result.stdout}${result.stderr}`,
		);
	}
	return JSON.parse(result.stdout.trim().split('\n').pop()).nodes;
}

/** Copies an installed package (and the ledger) from one user folder to another. */
export function copyInstalled(fromUserFolder, toUserFolder) {
	mkdirSync(join(toUserFolder, '.n8n'), { recursive: true });
	cpSync(nodesFolder(fromUserFolder), nodesFolder(toUserFolder), { recursive: true });
}

/** Build, pack and install into `userFolder`; the tarball goes to a temporary folder. */
export function buildAndInstall(userFolder, { build = true } = {}) {
	if (build) buildPackage();
	const packDir = mkdtempSync(join(tmpdir(), 'cadence-pack-'));
	try {
		const tarball = packPackage(packDir);
		return installTarball(tarball, userFolder);
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
}
