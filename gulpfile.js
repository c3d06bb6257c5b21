const { src, dest } = require('gulp');

/** Copies icons and the node's codex file (`*.node.json`) next to the compiled files in dist/. */
function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}', 'icons/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
