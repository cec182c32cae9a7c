import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type {
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	ICredentialType,
} from 'n8n-workflow';

/**
 * Checks every node and credential the package registers, the way n8n and a user would meet
 * them: names, icons, codex, defaults that are valid values, options that can be reached.
 */
const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};
const sourceOf = (distPath: string) =>
	join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

const nodes = pkg.n8n.nodes.map((distPath) => {
	const file = sourceOf(distPath);
	const module = require(file) as Record<string, new () => INodeType>;
	const className = basename(file, '.node.ts');
	return { file, className, node: new module[className]() };
});
const credentials = pkg.n8n.credentials.map((distPath) => {
	const file = sourceOf(distPath);
	const module = require(file) as Record<string, new () => ICredentialType>;
	return { file, credential: new module[basename(file, '.credentials.ts')]() };
});

/** Every property, including those nested in collections and fixed collections. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((p) => {
		const nested = (p.options ?? []).flatMap((o) =>
			'values' in o
				? allProperties(o.values)
				: 'type' in o
					? allProperties([o as INodeProperties])
					: [],
		);
		return [p, ...nested];
	});
}

const iconFiles = (icon: unknown): string[] => {
	if (typeof icon === 'string') return [icon];
	if (icon && typeof icon === 'object') return Object.values(icon as Record<string, string>);
	return [];
};

describe('package registration', () => {
	it('registers nodes and the credential, each file present', () => {
		expect(nodes.length).toBeGreaterThan(0);
		for (const { file } of [...nodes, ...credentials]) expect(existsSync(file)).toBe(true);
	});

	it('uses unique node type names', () => {
		const names = nodes.map((n) => n.node.description.name);
		expect(new Set(names).size).toBe(names.length);
	});
});

describe.each(nodes.map((n) => [n.className, n] as const))(
	'%s',
	(_name, { file, className, node }) => {
		const { description } = node;
		const properties = allProperties(description.properties);

		it('is named after its file, with a display name as its default name', () => {
			expect(description.name.charAt(0).toUpperCase() + description.name.slice(1)).toBe(className);
			expect(description.defaults.name).toBe(description.displayName);
			expect(description.description.length).toBeGreaterThan(10);
		});

		it('has light and dark icons that exist, and a codex naming the node type', () => {
			const icons = iconFiles(description.icon);
			expect(icons.length).toBe(2);
			for (const icon of icons)
				expect(existsSync(join(dirname(file), icon.replace(/^file:/, '')))).toBe(true);
			const codex = JSON.parse(readFileSync(file.replace(/\.ts$/, '.json'), 'utf8')) as {
				node: string;
				categories: string[];
			};
			expect(codex.node).toBe(`${pkg.name}.${description.name}`);
			expect(codex.categories.length).toBeGreaterThan(0);
		});

		it('gives every parameter a default of the right type', () => {
			for (const p of properties) {
				const where = `${className} › ${p.displayName}`;
				if (p.type === 'notice' || p.type === 'resourceLocator') continue;
				if (typeof p.default === 'string' && p.default.startsWith('=')) continue; // an expression
				if (p.type === 'boolean') expect([where, typeof p.default]).toEqual([where, 'boolean']);
				if (p.type === 'number') expect([where, typeof p.default]).toEqual([where, 'number']);
				if (p.type === 'string' || p.type === 'dateTime')
					expect([where, typeof p.default]).toEqual([where, 'string']);
				if (p.type === 'options') {
					const values = (p.options as INodePropertyOptions[]).map((o) => o.value);
					expect([where, values.includes(p.default as string)]).toEqual([where, true]);
				}
				if (p.type === 'multiOptions') {
					const values = (p.options as INodePropertyOptions[]).map((o) => o.value);
					for (const v of p.default as string[])
						expect([where, values.includes(v)]).toEqual([where, true]);
				}
			}
		});

		it('only shows parameters for values that exist, so every option is reachable', () => {
			const byName = new Map<string, INodeProperties[]>();
			for (const p of properties) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
			for (const p of properties) {
				for (const [other, wanted] of Object.entries(p.displayOptions?.show ?? {})) {
					if (other.startsWith('@') || other.startsWith('/')) continue;
					const targets = byName.get(other);
					expect([p.displayName, other, Boolean(targets)]).toEqual([p.displayName, other, true]);
					const possible = targets!.flatMap((t) =>
						t.type === 'boolean'
							? [true, false]
							: ((t.options ?? []) as INodePropertyOptions[]).map((o) => o.value),
					);
					for (const value of wanted as unknown[]) {
						if (typeof value === 'object') continue; // a condition such as { _cnd: … }
						expect([p.displayName, other, value, possible.includes(value as string)]).toEqual([
							p.displayName,
							other,
							value,
							true,
						]);
					}
				}
			}
		});

		it('offers the optional Cadence Store credential with a working test method', () => {
			const entry = description.credentials?.find((c) => c.name === 'cadenceStoreApi');
			if (description.name === 'followUpTrigger' || entry) {
				expect(entry).toMatchObject({ required: false, testedBy: 'cadenceStoreTest' });
				expect(typeof node.methods?.credentialTest?.cadenceStoreTest).toBe('function');
			}
		});

		it('backs every searchable list with a method', () => {
			for (const p of properties.filter((x) => x.type === 'resourceLocator')) {
				for (const mode of p.modes ?? []) {
					const method = mode.typeOptions?.searchListMethod;
					if (method) expect(typeof node.methods?.listSearch?.[method]).toBe('function');
				}
			}
		});

		it('has a subtitle and a hint for the user', () => {
			expect(typeof description.subtitle).toBe('string');
			expect((description.hints ?? []).length).toBeGreaterThan(0);
		});

		it('is usable as an AI agent tool when it acts on data', () => {
			const acting = ['enrollInCadence', 'recordReply', 'cadence'];
			if (acting.includes(description.name)) expect(description.usableAsTool).toBe(true);
		});
	},
);

describe.each(credentials.map((c) => [c.credential.name, c] as const))(
	'credential %s',
	(_name, { file, credential }) => {
		it('has icons that exist and fields with valid defaults', () => {
			for (const icon of iconFiles(credential.icon))
				expect(existsSync(join(dirname(file), icon.replace(/^file:/, '')))).toBe(true);
			const backend = credential.properties.find((p) => p.name === 'backend')!;
			expect((backend.options as INodePropertyOptions[]).map((o) => o.value)).toContain(
				backend.default,
			);
		});
	},
);
