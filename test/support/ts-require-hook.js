/**
 * Lets a plain `node` child process load the engine's TypeScript sources without a build:
 * each `.ts` file is transpiled in memory (types dropped, nothing checked) as it is required.
 * Used by tests that need a second real process, such as claimers racing from several processes.
 */
const fs = require('node:fs');
const Module = require('node:module');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	sourceMap: false,
};

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
};
