import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * What `npm publish` would publish, and where the package's Docs links lead. The `files` rules
 * are checked on a stand-in tree (package.json, README, LICENSE and every kind of file this
 * repository has), so the check does not depend on a fresh build.
 */
const ROOT = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	keywords: string[];
	homepage: string;
	repository: { type: string; url: string };
	bugs: { url: string };
	engines: { node: string };
	n8n: { nodes: string[]; credentials: string[] };
};
const NPM_PAGE = `https://www.npmjs.com/package/${packageJson.name}`;

/** `npm pack --dry-run` in `dir`: the paths the tarball would hold. */
function packedFiles(dir: string): string[] {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: dir,
		encoding: 'utf8',
	});
	const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{
		files: Array<{ path: string }>;
	}>;
	return info.files.map((f) => f.path).sort();
}

describe('npm pack', () => {
	let tree: string;

	beforeAll(() => {
		tree = mkdtempSync(join(tmpdir(), 'cadence-pack-rules-'));
		for (const file of ['package.json', 'README.md', 'LICENSE']) {
			copyFileSync(join(ROOT, file), join(tree, file));
		}
		const stubs = [
			...[...packageJson.n8n.nodes, ...packageJson.n8n.credentials].flatMap((js) => [
				js,
				js.replace(/\.js$/, '.d.ts'),
				`${js}.map`,
			]),
			'dist/nodes/Cadence/Cadence.node.json',
			'dist/nodes/Cadence/cadence.svg',
			'dist/engine/store/sqlite.js',
			// Sources, tests, templates and tooling that must stay out.
			'nodes/Cadence/Cadence.node.ts',
			'engine/index.ts',
			'test/unit/some.test.ts',
			'examples/01-template.json',
			'scripts/start.mjs',
			'docs/docker/docker-compose.yml',
			'.n8n/database.sqlite',
		];
		for (const file of stubs) {
			mkdirSync(join(tree, dirname(file)), { recursive: true });
			copyFileSync(join(ROOT, 'LICENSE'), join(tree, file));
		}
	});

	afterAll(() => rmSync(tree, { recursive: true, force: true }));

	test('publishes dist/ (no source maps), README, LICENSE and package.json only', () => {
		const files = packedFiles(tree);
		const expected = [
			'LICENSE',
			'README.md',
			'package.json',
			...[...packageJson.n8n.nodes, ...packageJson.n8n.credentials].flatMap((js) => [
				js,
				js.replace(/\.js$/, '.d.ts'),
			]),
			'dist/nodes/Cadence/Cadence.node.json',
			'dist/nodes/Cadence/cadence.svg',
			'dist/engine/store/sqlite.js',
		].sort();
		expect(files).toEqual(expected);
	});

	test('every node and credential listed for n8n is compiled from a source the build includes', () => {
		const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
			include: string[];
		};
		for (const js of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) {
			const source = js.replace(/^dist\//, '').replace(/\.js$/, '.ts');
			expect(readdirSync(join(ROOT, dirname(source)))).toContain(source.split('/').pop());
			expect(build.include.some((glob) => source.startsWith(glob.split('/')[0] + '/'))).toBe(true);
		}
	});
});

describe('package.json for the registry and for n8n', () => {
	test('n8n finds it as a community package, and npm links to its source and issues', () => {
		expect(packageJson.keywords).toContain('n8n-community-node-package');
		expect(packageJson.name).toMatch(/^n8n-nodes-/);
		expect(packageJson.repository.type).toBe('git');
		const repository = packageJson.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
		expect(repository).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
		expect(packageJson.bugs.url).toBe(`${repository}/issues`);
		expect(packageJson.homepage).toBe(NPM_PAGE);
	});

	test('the Node versions in engines are the ones the README states', () => {
		const minimum = /^>=(\d+\.\d+)$/.exec(packageJson.engines.node)?.[1];
		expect(minimum).toBeDefined();
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
		const compatibility = readme.split('## Compatibility')[1];
		expect(compatibility).toContain(`Node.js ${minimum} or newer (\`engines\`)`);
	});
});

/** The anchor GitHub and npm give a README heading. */
function anchorOf(heading: string): string {
	return heading
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.trim()
		.replace(/\s/g, '-');
}

describe('Docs links', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const anchors = new Set(
		[...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1])),
	);

	/** Every URL in the nodes' codex files and the credential's documentationUrl. */
	function docsUrls(): Array<{ file: string; url: string }> {
		const found: Array<{ file: string; url: string }> = [];
		for (const folder of readdirSync(join(ROOT, 'nodes'))) {
			const dir = join(ROOT, 'nodes', folder);
			let files: string[];
			try {
				files = readdirSync(dir).filter((f) => f.endsWith('.node.json'));
			} catch {
				continue;
			}
			for (const file of files) {
				const text = readFileSync(join(dir, file), 'utf8');
				for (const [url] of text.matchAll(/https?:\/\/[^"\s]+/g)) {
					found.push({ file: `nodes/${folder}/${file}`, url });
				}
			}
		}
		for (const file of readdirSync(join(ROOT, 'credentials')).filter((f) => f.endsWith('.ts'))) {
			const text = readFileSync(join(ROOT, 'credentials', file), 'utf8');
			for (const [, url] of text.matchAll(/documentationUrl\s*=\s*'([^']+)'/g)) {
				found.push({ file: `credentials/${file}`, url });
			}
		}
		return found;
	}

	test('every node n8n loads has one, on the package page', () => {
		const urls = docsUrls();
		for (const js of packageJson.n8n.nodes) {
			const codex = js.replace(/^dist\//, '').replace(/\.js$/, '.json');
			expect(urls.filter((u) => u.file === codex).length).toBeGreaterThan(0);
		}
		for (const { url } of urls) expect(url.startsWith(`${NPM_PAGE}#`)).toBe(true);
	});

	test('each leads to a heading of the README that npm shows on that page', () => {
		const broken = docsUrls().filter(({ url }) => !anchors.has(url.split('#')[1]));
		expect(broken).toEqual([]);
	});
});
