import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';

const legacyRules = (name) => n8nNodesBase.configs[name].rules;

// Three legacy rules contradict @n8n/eslint-plugin-community-nodes, so both cannot pass:
// - cred-class-field-documentation-url-miscased wants a camelCase slug ("only applicable to nodes in
//   the main repository", says its own description); credential-documentation-url wants a real URL.
// - node-class-description-inputs/outputs-wrong want the literal ['main'];
//   node-connection-type-literal forbids that literal in favour of NodeConnectionTypes.Main.
// The community rules win, as in n8n's community node starter.
const overriddenByCommunityRules = {
	'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
	'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
	'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
};

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', '*.js', 'eslint.config.mjs'] },
	{
		// The legacy package.json rules read the file as a JavaScript object literal.
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: legacyRules('community'),
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...legacyRules('credentials'), ...overriddenByCommunityRules },
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...legacyRules('nodes'), ...overriddenByCommunityRules },
	},
	{
		...communityNodes.configs.recommended,
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
];
