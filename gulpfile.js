const { src, dest } = require('gulp');

/**
 * n8n loads node and credential icons, and each node's codex file (Foo.node.json: categories,
 * search aliases, documentation link), from next to the compiled files. Copy them into dist/
 * keeping the folder structure (nodes/Foo/foo.svg → dist/nodes/Foo/foo.svg).
 * `allowEmpty` keeps the task green while a folder has none yet.
 */
function buildIcons() {
	return src(
		['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'],
		{ base: '.', allowEmpty: true, encoding: false },
	).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
