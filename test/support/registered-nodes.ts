import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { INodeProperties, INodeType } from 'n8n-workflow';

/** Every node the package registers in package.json, loaded from source the way n8n loads dist/. */

export const root = join(__dirname, '..', '..');

export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	name: string;
	homepage?: string;
	n8n: { nodes: string[]; credentials: string[] };
};

export interface Codex {
	node: string;
	categories?: string[];
	subcategories?: Record<string, string[]>;
	alias?: string[];
	resources?: { primaryDocumentation?: Array<{ url: string }> };
}

export interface RegisteredNode {
	/** The source file, e.g. …/nodes/ExitCheck/ExitCheck.node.ts */
	file: string;
	className: string;
	node: INodeType;
	codex: Codex;
}

export function registeredNodes(): RegisteredNode[] {
	return pkg.n8n.nodes.map((distPath) => {
		const file = join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		const module = require(file) as Record<string, new () => INodeType>;
		const className = basename(file, '.node.ts');
		const codex = JSON.parse(readFileSync(file.replace(/\.ts$/, '.json'), 'utf8')) as Codex;
		return { file, className, node: new module[className](), codex };
	});
}

/**
 * Every parameter with the path a user clicks through to reach it ("Options → Persona"),
 * including those nested in collections and fixed collections.
 */
export function propertiesWithPath(
	properties: INodeProperties[],
	parent = '',
): Array<{ path: string; property: INodeProperties }> {
	return properties.flatMap((property) => {
		const path = parent ? `${parent} → ${property.displayName}` : property.displayName;
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in option) return propertiesWithPath(option.values, path);
			if ('type' in option) return propertiesWithPath([option as INodeProperties], path);
			return [];
		});
		return [{ path, property }, ...nested];
	});
}
