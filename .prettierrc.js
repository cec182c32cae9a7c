/** Formatting shared with the n8n community-node starter: tabs, single quotes, 100 columns. */
module.exports = {
	useTabs: true,
	tabWidth: 2,
	singleQuote: true,
	semi: true,
	trailingComma: 'all',
	printWidth: 100,
	arrowParens: 'always',
	bracketSpacing: true,
	endOfLine: 'lf',
	quoteProps: 'as-needed',
};
