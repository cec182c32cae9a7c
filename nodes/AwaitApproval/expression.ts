/**
 * `$("Node Name")` for an expression, whatever the name holds: quotes are escaped by JSON, and
 * braces are written as \u escapes, which read the same inside a JS string but cannot end the
 * expression the way a "}}" in a node name would.
 */
export function nodeReference(name: string): string {
	const literal = JSON.stringify(name).replace(/{/g, '\\u007b').replace(/}/g, '\\u007d');
	return `$(${literal})`;
}
