const { src, dest } = require('gulp');

/**
 * n8n loads node and credential icons from next to the compiled files, so copy them into dist/
 * keeping the folder structure (nodes/Foo/foo.svg → dist/nodes/Foo/foo.svg).
 * `allowEmpty` keeps the task green while a folder has no icons yet.
 */
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		allowEmpty: true,
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
