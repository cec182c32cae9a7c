import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { e2eSetup, requireFromRuntime } from './support/environment';
import { N8nInstance } from './support/n8n-instance';
import { cadenceType, code, manualTrigger, node, workflow } from './support/workflows';

/**
 * The README's install paths for as long as the package is not on the public registry, run as
 * written: the manual install of the packed tarball into the n8n user folder's `nodes/`, and the
 * Docker Compose file (docker cannot run here: its installer command runs against a folder laid
 * out like the container, and the file is checked against the image's layout). A real n8n then
 * loads and runs the manually installed package.
 */
const ROOT = join(__dirname, '..', '..');
const packageJson = require(join(ROOT, 'package.json')) as {
	name: string;
	version: string;
	dependencies: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
};
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMPOSE_FILE = join(ROOT, 'docs', 'docker', 'docker-compose.yml');
const N8N_VERSION = /N8N_VERSION = '([^']+)'/.exec(
	readFileSync(join(ROOT, 'scripts', 'n8n-runtime.mjs'), 'utf8'),
)![1];

/** The shell blocks under a README heading, up to the next heading. */
function shellBlocks(heading: string): string[][] {
	const start = README.indexOf(`\n${heading}\n`);
	if (start < 0) throw new Error(`README has no "${heading}" heading`);
	const rest = README.slice(start + heading.length + 2);
	const section = rest.slice(0, rest.search(/\n#{1,6} /) + 1 || undefined);
	return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
		m[1]
			.split('\n')
			.map((line) => line.trim())
			.filter(Boolean),
	);
}

/** Runs shell lines with `~` as `home` (npm keeps its usual cache and settings). */
function sh(lines: string[], { cwd, home }: { cwd: string; home: string }): string {
	const result = spawnSync('bash', ['-euo', 'pipefail', '-c', lines.join('\n')], {
		cwd,
		encoding: 'utf8',
		env: {
			...process.env,
			HOME: home,
			PATH: `${join(e2eSetup().node, '..')}:${process.env.PATH ?? ''}`,
			npm_config_cache: join(homedir(), '.npm'),
			npm_config_userconfig: join(homedir(), '.npmrc'),
			// The global setup has just built dist/: `npm pack` need not rebuild it (prepack).
			npm_config_ignore_scripts: 'true',
		},
	});
	if (result.status !== 0) {
		throw new Error(`${lines.join('\n')}\nfailed:\n${result.stdout}\n${result.stderr}`);
	}
	return result.stdout;
}

/** What a nodes/ folder holds after an install: the package, its dependencies, no n8n copy. */
function expectInstalled(nodesFolder: string) {
	const modules = readdirSync(join(nodesFolder, 'node_modules'));
	expect(modules).toEqual(
		expect.arrayContaining([packageJson.name, ...Object.keys(packageJson.dependencies)]),
	);
	// n8n provides n8n-workflow (a peer dependency); a second copy must not shadow it.
	expect(modules).not.toContain('n8n-workflow');
	const installed = JSON.parse(
		readFileSync(join(nodesFolder, 'node_modules', packageJson.name, 'package.json'), 'utf8'),
	) as { version: string };
	expect(installed.version).toBe(packageJson.version);
}

let home: string;
let tarball: string;
let n8n: N8nInstance | undefined;

beforeAll(() => {
	home = join(e2eSetup().workRoot, `install-home-${Date.now()}`);
	mkdirSync(home, { recursive: true });
});

afterAll(async () => {
	await n8n?.stop();
});

describe('manual install (README → Install → Manual install)', () => {
	const [packBlock, installBlock] = shellBlocks('### Manual install');

	test('the packed tarball holds dist/, README, LICENSE and package.json only', () => {
		// The block's first line installs the clone's dependencies: this work tree has them, and
		// reinstalling them would disturb the other test runs sharing it.
		expect(packBlock[0]).toMatch(/^npm (install|ci)$/);
		sh(packBlock.slice(1), { cwd: ROOT, home });
		const packed = readdirSync(home).filter((f) => f.endsWith('.tgz'));
		expect(packed).toEqual([`${packageJson.name}-${packageJson.version}.tgz`]);
		tarball = join(home, packed[0]);
		const files = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
			.stdout.split('\n')
			.filter(Boolean)
			.map((f) => f.replace(/^package\//, ''));
		const outsideDist = files.filter((f) => !f.startsWith('dist/')).sort();
		expect(outsideDist).toEqual(['LICENSE', 'README.md', 'package.json']);
		expect(files.filter((f) => /\.map$|\.test\.|(^|\/)test\//.test(f))).toEqual([]);
		expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
		for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) {
			expect(files).toContain(file);
		}
	});

	test('the install commands put it where n8n looks, without a second n8n-workflow', () => {
		expect(tarball).toBeDefined();
		sh(installBlock, { cwd: home, home });
		expectInstalled(join(home, '.n8n', 'nodes'));
	});

	test('a real n8n on that user folder lists every node and runs one', async () => {
		expect(existsSync(join(home, '.n8n', 'nodes', 'node_modules', packageJson.name))).toBe(true);
		const expected = packageJson.n8n.nodes.map((file) => {
			const loaded = require(join(ROOT, file)) as Record<string, new () => any>;
			return cadenceType(new (Object.values(loaded)[0] as new () => any)().description.name);
		});
		// Simulate needs no store; it runs on luxon and zod as npm laid them out in nodes/.
		const simulate = node('Simulate', cadenceType('cadence'), {
			resource: 'simulation',
			operation: 'simulate',
			cadenceSource: 'json',
			definition: JSON.stringify({
				name: 'Manual install',
				steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Hi {{firstName}}' }],
			}),
			contactName: 'Ada',
			variables: { variable: [{ name: 'firstName', value: 'Ada' }] },
		});
		const instance = await N8nInstance.start({
			name: 'manual-install',
			userFolderTemplate: home,
		});
		n8n = instance;
		// The workflow is created right after start-up: after the big nodes.json, a busy machine
		// can take longer than n8n's 5-second keep-alive, and the next request then fails.
		const created = await instance
			.createWorkflow(
				workflow(
					'Manual install: simulate',
					[manualTrigger(), code('Start', 'return [{ json: {} }];'), simulate],
					[
						['Manual Trigger', 'Start'],
						['Start', 'Simulate'],
					],
				),
			)
			.catch((error) => Promise.reject(instance.withLogs(error)));
		const nodes = await instance.authenticatedGet<Array<{ name: string }>>('/types/nodes.json');
		const ours = new Set(nodes.map((n) => n.name).filter((n) => n.startsWith(packageJson.name)));
		for (const type of expected) expect(ours.has(type)).toBe(true);
		expect(instance.logLines(/n8n-nodes-cadence/i).filter((l) => /error|fail/i.test(l))).toEqual(
			[],
		);
		const run = await instance
			.executeCli(created.id)
			.catch((error) => Promise.reject(instance.withLogs(error)));
		expect(run.resultData.error).toBeUndefined();
		const sent = run.resultData.runData.Simulate[0].data!.main[0]!.map((i) => i.json);
		expect(sent.filter((i) => i.type === 'send')).toHaveLength(1);
	});
});

describe('Docker Compose (docs/docker/docker-compose.yml)', () => {
	interface Service {
		image: string;
		user?: string;
		entrypoint?: string[];
		command?: string[];
		volumes: string[];
		environment?: string[];
		depends_on?: Record<string, { condition: string }>;
	}
	const compose = requireFromRuntime<{ parse(text: string): unknown }>('yaml').parse(
		readFileSync(COMPOSE_FILE, 'utf8'),
	) as { services: Record<string, Service>; volumes: Record<string, unknown> };
	const { n8n: n8nService, 'install-cadence': installer } = compose.services;
	/** The official image keeps n8n's user folder in the home of its `node` user. */
	const IMAGE_N8N_FOLDER = '/home/node/.n8n';

	test('both services run the official image of the n8n the tests use', () => {
		expect(n8nService.image).toBe(`n8nio/n8n:${N8N_VERSION}`);
		expect(installer.image).toBe(n8nService.image);
		expect(installer.user).toBe('node');
	});

	test('the volume holds n8n’s user folder, which the installer fills first', () => {
		const volumeMount = `n8n_data:${IMAGE_N8N_FOLDER}`;
		expect(n8nService.volumes).toContain(volumeMount);
		expect(installer.volumes).toContain(volumeMount);
		expect(Object.keys(compose.volumes)).toEqual(['n8n_data']);
		expect(n8nService.depends_on).toEqual({
			'install-cadence': { condition: 'service_completed_successfully' },
		});
		// Nothing moves n8n's folder away from the volume, or loads packages from elsewhere.
		const variables = (n8nService.environment ?? []).map((e) => e.split('=')[0]);
		expect(variables).not.toContain('N8N_USER_FOLDER');
		expect(variables).not.toContain('N8N_CUSTOM_EXTENSIONS');
		expect(variables).toContain('GENERIC_TIMEZONE');
	});

	test('the README packs the tarball into the folder the file mounts', () => {
		const [block] = shellBlocks('### Docker Compose');
		expect(block).toContain('npm pack --pack-destination docs/docker');
		expect(block).toContain('cd docs/docker');
		expect(installer.volumes).toContain('./:/cadence:ro');
	});

	test('its installer command, run against a folder laid out like the container, installs the package', () => {
		expect(tarball).toBeDefined();
		const container = join(e2eSetup().workRoot, `container-${Date.now()}`);
		const mounted = join(container, 'cadence');
		mkdirSync(mounted, { recursive: true });
		copyFileSync(tarball, join(mounted, `${packageJson.name}-${packageJson.version}.tgz`));
		expect(installer.entrypoint).toEqual(['/bin/sh', '-c']);
		expect(installer.command).toHaveLength(1);
		// Compose turns `$$` into `$`; the paths become the folder's.
		const command = installer
			.command![0].replaceAll('$$', '$')
			.replaceAll(IMAGE_N8N_FOLDER, join(container, 'home', '.n8n'))
			.replaceAll('/cadence/', `${mounted}/`);
		sh([command], { cwd: container, home: join(container, 'home') });
		expectInstalled(join(container, 'home', '.n8n', 'nodes'));
	});
});
