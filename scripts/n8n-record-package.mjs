// Records an installed community package in n8n's own database, as n8n's installer does after a
// download (n8n 2.41 InstalledPackagesRepository.persistPackageWithNodes): one installed_packages
// row (name, version, author) and one installed_nodes row per node n8n's package loader finds.
// Settings → Community Nodes lists only recorded packages, and only recorded packages can be
// updated or uninstalled there; n8n's installer itself cannot be used for a local tarball (it
// downloads from registry.npmjs.org, and another registry needs an enterprise licence).
//
// Runs under the pinned runtime's Node with NODE_PATH at its node_modules (the package's nodes
// require n8n-workflow, which n8n provides), while n8n is stopped:
//   node scripts/n8n-record-package.mjs <n8n runtime dir> <installed package dir> <database.sqlite>
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

/** TypeORM's SQLite datetime text, as n8n writes it: UTC, milliseconds, no zone letter. */
function sqliteNow() {
	return new Date().toISOString().replace('T', ' ').replace('Z', '');
}

/** What n8n's loader sees in the package: the rows its installer would write. */
export async function packageRows(runtimeDir, packageDir) {
	const { PackageDirectoryLoader } = createRequire(join(runtimeDir, 'package.json'))('n8n-core');
	const loader = new PackageDirectoryLoader(packageDir);
	await loader.loadAll();
	const { name, version, author } = loader.packageJson;
	if (loader.loadedNodes.length === 0) throw new Error(`${name} has no nodes n8n can load`);
	return {
		packageRow: {
			packageName: name,
			installedVersion: version,
			authorName: author?.name ?? null,
			authorEmail: author?.email ?? null,
		},
		nodeRows: loader.loadedNodes.map((node) => ({
			name: loader.nodeTypes[node.name].type.description.displayName,
			type: `${name}.${node.name}`,
			latestVersion: node.version,
			package: name,
		})),
	};
}

/** Replaces the package's rows in one transaction, like an update through the installer. */
export function writeRows(databaseFile, { packageRow, nodeRows }) {
	const db = new DatabaseSync(databaseFile);
	try {
		db.exec('PRAGMA busy_timeout = 10000');
		const now = sqliteNow();
		db.exec('BEGIN IMMEDIATE');
		try {
			db.prepare('DELETE FROM installed_nodes WHERE package = ?').run(packageRow.packageName);
			db.prepare('DELETE FROM installed_packages WHERE packageName = ?').run(
				packageRow.packageName,
			);
			db.prepare(
				'INSERT INTO installed_packages (packageName, installedVersion, authorName, authorEmail,' +
					' createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
			).run(
				packageRow.packageName,
				packageRow.installedVersion,
				packageRow.authorName,
				packageRow.authorEmail,
				now,
				now,
			);
			const insertNode = db.prepare(
				'INSERT INTO installed_nodes (name, type, latestVersion, package) VALUES (?, ?, ?, ?)',
			);
			for (const node of nodeRows) {
				insertNode.run(node.name, node.type, node.latestVersion, node.package);
			}
			db.exec('COMMIT');
		} catch (error) {
			db.exec('ROLLBACK');
			throw error;
		}
	} finally {
		db.close();
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const [runtimeDir, packageDir, databaseFile] = process.argv.slice(2);
	const rows = await packageRows(runtimeDir, packageDir);
	writeRows(databaseFile, rows);
	process.stdout.write(
		`${JSON.stringify({ package: rows.packageRow, nodes: rows.nodeRows.map((n) => n.type) })}\n`,
	);
}
