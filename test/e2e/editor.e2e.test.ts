/**
 * The package in n8n's editor, in a real (headless) Chromium, used like a person would: sign in, find
 * "OpenAI REST" in the node panel, add it, pick a model from the dropdown filled by the local OpenAI-compatible
 * server, type a message, Execute step and read the answer; chain Edit Fields (Set) after it by drag and drop and
 * run the workflow; generate an image and view it; and see a bad expression rejected before anything is sent.
 * Full-page screenshots go to .e2e/screenshots/ (git-ignored); `npm run screenshots` also writes the cropped
 * ones the README shows into docs/screenshots/.
 *
 * Needs Debian's chromium (`apt-get install -y chromium`), or E2E_CHROMIUM=/path/to/chrome.
 */
import fs from 'fs';
import path from 'path';
import type { INodePropertyOptions } from 'n8n-workflow';
import { type Browser, chromium, type Locator, type Page, selectors } from 'playwright-core';

import { OpenAiRest } from '../../nodes/OpenAiRest/OpenAiRest.node';
import { type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { N8nInstance, N8nRestClient, OWNER } from './support/n8n';
import { EXPECTED_MODELS } from '../support/expected-models';

const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-background-networking',
	'--disable-gpu',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];
const SCREENSHOT_DIR = path.resolve(__dirname, '../../.e2e/screenshots');
/** `npm run screenshots` sets E2E_DOC_SCREENSHOTS=1 to refresh the README's screenshots. */
const DOC_SCREENSHOT_DIR = process.env.E2E_DOC_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../docs/screenshots') : SCREENSHOT_DIR;
const DOC_SCREENSHOT_PADDING = 8;
const API_KEY = 'fake-e2e-editor-key';
const CREDENTIAL = { id: 'e2eEditorCred001', name: 'OpenAI REST account' };
const UI_TIMEOUT_MS = 60_000;

const CHAT_MODELS = EXPECTED_MODELS.chat;
const IMAGE_MODELS = EXPECTED_MODELS.image;
const QUESTION = 'What is n8n?';
// The local server answers a chat with "Echo: " and the last user message.
const ANSWER = `Echo: ${QUESTION}`;
const IMAGE_PROMPT = 'A lighthouse at sunset';
const CHAT_ACTION = 'Message a chat model and get its reply';
/** Every action the node offers, read from its description, so the actions of a new resource are looked for too. */
const ACTIONS = new OpenAiRest().description.properties
	.filter((property) => property.name === 'operation')
	.flatMap((property) => (property.options as INodePropertyOptions[]).map((option) => option.action))
	.filter((action): action is string => typeof action === 'string');

/** The options of the select dropdown that is open right now (n8n's editor renders it in a popper). */
function openDropdownOptions(page: Page): Locator {
	return page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
}

/** Opens a select parameter's dropdown; clicks again if a click landed while another popper was closing. */
async function openSelect(page: Page, parameterName: string): Promise<Locator> {
	const options = openDropdownOptions(page);
	for (let attempt = 1; ; attempt++) {
		await page.getByTestId(`parameter-input-${parameterName}`).click();
		try {
			await options.first().waitFor({ timeout: 5_000 });
			return options;
		} catch (error) {
			if (attempt === 3) {
				await screenshot(page, `failed-to-open-${parameterName}`);
				throw error;
			}
		}
	}
}

/** Closes a select parameter's dropdown by clicking the select again, and waits until it is gone. */
async function closeSelect(page: Page, parameterName: string): Promise<void> {
	await page.getByTestId(`parameter-input-${parameterName}`).click();
	await page.locator('.el-select-dropdown:visible').waitFor({ state: 'detached' });
}

/** Whether an element is visible and lies wholly within the browser window. */
async function isOnScreen(page: Page, element: Locator): Promise<boolean> {
	const box = await element.boundingBox();
	const window = page.viewportSize();
	if (!box || !window || !(await element.isVisible())) return false;
	return box.x >= 0 && box.y >= 0 && box.x + box.width <= window.width && box.y + box.height <= window.height;
}

async function screenshot(page: Page, name: string): Promise<void> {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	// 'disabled' finishes the dropdowns' fade-in first
	await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

/** Closes the editor's toasts so they cover nothing in a screenshot. */
async function closeToasts(page: Page): Promise<void> {
	const closeButtons = page.locator('.el-notification:visible .el-notification__closeBtn');
	for (const button of await closeButtons.all()) await button.click().catch(() => undefined);
	await page.locator('.el-notification:visible').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
}

/** A small PNG cropped to the given elements (all of them, plus a margin), for the README. */
async function docScreenshot(page: Page, name: string, ...targets: Locator[]): Promise<void> {
	await closeToasts(page);
	const boxes = await Promise.all(targets.map(async (target) => (await target.boundingBox())!));
	const left = Math.max(0, Math.min(...boxes.map((box) => box.x)) - DOC_SCREENSHOT_PADDING);
	const top = Math.max(0, Math.min(...boxes.map((box) => box.y)) - DOC_SCREENSHOT_PADDING);
	const right = Math.max(...boxes.map((box) => box.x + box.width)) + DOC_SCREENSHOT_PADDING;
	const bottom = Math.max(...boxes.map((box) => box.y + box.height)) + DOC_SCREENSHOT_PADDING;
	fs.mkdirSync(DOC_SCREENSHOT_DIR, { recursive: true });
	await page.screenshot({
		path: path.join(DOC_SCREENSHOT_DIR, `${name}.png`),
		animations: 'disabled',
		clip: { x: left, y: top, width: right - left, height: bottom - top },
	});
}

/** The value shown in a select or text parameter. */
function inputValue(page: Page, parameterName: string): Promise<string> {
	return page.getByTestId(`parameter-input-${parameterName}`).locator('input, textarea').first().inputValue();
}

/** The items of the output panel's JSON view, once it has rendered (it indents with non-breaking spaces). */
async function outputJson(page: Page): Promise<unknown> {
	const output = page.getByTestId('output-panel');
	await output.getByTestId('radio-button-json').click();
	const container = output.getByTestId('ndv-data-container');
	await container.getByText('[', { exact: true }).first().waitFor();
	await container.getByText(']', { exact: true }).last().waitFor();
	return JSON.parse((await container.innerText()).replace(/\u00a0/g, ' '));
}

/** Drags an input field (a pill of the input panel's schema view) onto a parameter, as a person maps data. */
async function dragInputField(page: Page, fieldName: string, target: Locator): Promise<void> {
	const field = page.getByTestId('ndv-input-panel').locator('span', { hasText: new RegExp(`^${fieldName}$`) }).first();
	const from = (await field.boundingBox())!;
	const to = (await target.boundingBox())!;
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.mouse.move(from.x + from.width / 2 + 30, from.y + from.height / 2 + 10, { steps: 5 });
	await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
	await page.mouse.up();
}

/** POST requests the node sent to the server for one endpoint. */
function postsTo(server: OpenAiServer, endpoint: string) {
	return server.requests.filter((request) => request.method === 'POST' && request.path === endpoint);
}

describe('OpenAI REST in the n8n editor (browser)', () => {
	let server: OpenAiServer;
	let n8n: N8nInstance;
	let browser: Browser;
	let page: Page;

	beforeAll(async () => {
		if (!fs.existsSync(CHROMIUM)) {
			throw new Error(`No Chromium at ${CHROMIUM}: run "apt-get install -y chromium" or set E2E_CHROMIUM`);
		}
		server = await startOpenAiServer({ apiKey: API_KEY });
		n8n = await N8nInstance.create('editor');
		await n8n.importCredentials([
			{ ...CREDENTIAL, type: 'openAiRestApi', data: { apiKey: API_KEY, baseUrl: server.baseUrl() } },
		]);
		await n8n.start();
		await new N8nRestClient(n8n.url).setUpOwnerAndLogin();

		// n8n marks its elements with data-test-id
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(UI_TIMEOUT_MS);
	});

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await server?.close();
	});

	it('signs in', async () => {
		await page.goto(`${n8n.url}/signin`);
		await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
		await page.getByTestId('password').locator('input').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));

		expect(new URL(page.url()).pathname).toBe('/home/workflows');
		await page.getByTestId('main-sidebar-settings').waitFor();
		await expect(page.getByTestId('main-sidebar-settings').isVisible()).resolves.toBe(true);
	});

	it('finds "OpenAI REST" in the node panel of a new workflow, with all its actions', async () => {
		await page.goto(`${n8n.url}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		await page.getByTestId('node-creator-search-bar').fill('OpenAI REST');

		const ourItem = page.getByTestId('node-creator-item-name').filter({ hasText: /^OpenAI REST$/ });
		await ourItem.waitFor();
		await screenshot(page, '1-node-panel-search');
		await ourItem.click();

		const panel = page.getByTestId('node-creator');
		await panel.getByText(CHAT_ACTION, { exact: true }).waitFor();
		await screenshot(page, '2-node-actions');
		await docScreenshot(page, 'node-panel', panel);
		expect(ACTIONS.length).toBeGreaterThanOrEqual(23);
		expect(ACTIONS).toContain(CHAT_ACTION);
		// The panel holds more actions than fit on the screen, and renders the later ones a moment after the
		// first: a user scrolls to each one, and it must then be on the screen.
		const found: Record<string, boolean> = {};
		for (const action of ACTIONS) {
			const item = panel.getByText(action, { exact: true });
			found[action] = await item.scrollIntoViewIfNeeded({ timeout: 15_000 }).then(
				async () => await isOnScreen(page, item),
				() => false,
			);
		}
		expect(found).toEqual(Object.fromEntries(ACTIONS.map((action) => [action, true])));
	});

	it('adds the node with the credential preselected and shows the resource and operation selectors', async () => {
		await page.getByTestId('node-creator').getByText(CHAT_ACTION, { exact: true }).click();

		const parameters = page.getByTestId('node-parameters');
		await parameters.waitFor();
		await expect(page.getByTestId('node-credentials-select').locator('input').inputValue()).resolves.toBe(CREDENTIAL.name);
		await expect(inputValue(page, 'resource')).resolves.toBe('Chat');
		await expect(inputValue(page, 'operation')).resolves.toBe('Create Completion');
	});

	it('lists every resource in the Resource selector', async () => {
		const options = await openSelect(page, 'resource');
		// n8n adds "Custom API Call" to every node that has a credential.
		await expect(options.allInnerTexts()).resolves.toEqual([
			'Audio',
			'Batch',
			'Chat',
			'Conversation',
			'Edit',
			'Embedding',
			'File',
			'Image',
			'Model',
			'Moderation',
			'Response',
			'Text',
			'Vector Store',
			'Video',
			'Custom API Call',
		]);
		await closeSelect(page, 'resource');
	});

	it('shows the batched operation\'s own fields under Batch → Create From Items, and only that operation\'s', async () => {
		const visible = (name: string) => page.getByTestId(`parameter-input-${name}`).isVisible();
		const resources = await openSelect(page, 'resource');
		await resources.filter({ hasText: /^Batch$/ }).click();
		await expect(inputValue(page, 'operation')).resolves.toBe('Create From Items: Chat');
		await page.getByTestId('parameter-input-chatModel').waitFor();
		expect({ chatModel: await visible('chatModel'), batchCustomId: await visible('batchCustomId'), textPrompt: await visible('textPrompt') }).toEqual({
			chatModel: true,
			batchCustomId: true,
			textPrompt: false,
		});
		const operations = await openSelect(page, 'operation');
		await operations.filter({ hasText: 'Create From Items: Text' }).first().click();
		await page.getByTestId('parameter-input-textPrompt').waitFor();
		expect({ textModel: await visible('textModel'), chatModel: await visible('chatModel') }).toEqual({ textModel: true, chatModel: false });
		await screenshot(page, '3-batch-from-items');
		const back = await openSelect(page, 'resource');
		await back.filter({ hasText: /^Chat$/ }).click();
		await expect(inputValue(page, 'operation')).resolves.toBe('Create Completion');
	});

	it('fills the model dropdown with the chat models from the server, filtered and sorted', async () => {
		const options = await openSelect(page, 'chatModel');
		await expect(options.allInnerTexts()).resolves.toEqual(CHAT_MODELS);
		await screenshot(page, '3-chat-model-dropdown');
		await docScreenshot(page, 'model-dropdown', page.getByTestId('parameter-input-chatModel'), page.locator('.el-select-dropdown:visible'));

		// The editor loaded them from the server (it may do so as soon as the node opens).
		const modelRequests = server.requests.filter((request) => request.method === 'GET' && request.path === '/models');
		expect(modelRequests.length).toBeGreaterThan(0);
		expect(modelRequests.every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
		await closeSelect(page, 'chatModel');
	});

	it('runs a chat completion with Execute step and shows the answer in the Table and JSON views', async () => {
		const models = await openSelect(page, 'chatModel');
		await models.filter({ hasText: /^gpt-4o$/ }).click();
		await expect(inputValue(page, 'chatModel')).resolves.toBe('gpt-4o');
		await page.getByTestId('parameter-input-content').locator('textarea').fill(QUESTION);
		await page.getByTestId('node-execute-button').click();

		const output = page.getByTestId('output-panel');
		await output.getByTestId('node-run-status-success').waitFor();
		await output.getByTestId('radio-button-table').click();
		await output.locator('table').waitFor();
		const headers = await output.locator('table th').allInnerTexts();
		const cells = await output.locator('table tbody tr').first().locator('> td').allInnerTexts();
		expect(Object.fromEntries(headers.slice(0, 3).map((header, index) => [header, cells[index]]))).toEqual({
			role: 'assistant',
			content: ANSWER,
			finish_reason: 'stop',
		});
		await screenshot(page, '5-chat-output');
		await docScreenshot(page, 'chat-output', output.getByTestId('run-data-pane-header'), output.locator('table'));

		await expect(outputJson(page)).resolves.toEqual([
			expect.objectContaining({ role: 'assistant', content: ANSWER, finish_reason: 'stop' }),
		]);
		expect(postsTo(server, '/chat/completions').map((request) => request.body)).toEqual([
			{ model: 'gpt-4o', messages: [{ role: 'user', content: QUESTION }] },
		]);
	});

	it('chains Edit Fields (Set) reading {{ $json.content }}, mapped by drag and drop, and runs the workflow', async () => {
		await page.getByTestId('ndv-close-button').click();
		await page.getByTestId('canvas-node').filter({ hasText: CHAT_ACTION }).getByTestId('canvas-handle-plus').click();
		await page.getByTestId('node-creator-search-bar').fill('Edit Fields');
		await page.getByTestId('node-creator-item-name').filter({ hasText: /^Edit Fields \(Set\)$/ }).click();
		await page.getByTestId('node-parameters').waitFor();

		await page.getByTestId('assignment-collection-drop-area').click();
		const assignment = page.getByTestId('assignment').first();
		await assignment.getByTestId('assignment-name').locator('input').fill('answer');
		const value = assignment.getByTestId('assignment-value');
		await dragInputField(page, 'content', value);
		await value.getByText('{{ $json.content }}').waitFor();
		await expect(value.innerText()).resolves.toContain('{{ $json.content }}');

		await page.getByTestId('ndv-close-button').click();
		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Workflow executed successfully').first().waitFor();
		await page.getByTestId('canvas-node').filter({ hasText: 'Edit Fields' }).dblclick();
		await page.getByTestId('output-panel').getByTestId('node-run-status-success').waitFor();
		await expect(outputJson(page)).resolves.toEqual([{ answer: ANSWER }]);
		expect(postsTo(server, '/chat/completions')).toHaveLength(2);
		await page.getByTestId('ndv-close-button').click();
	});

	it('generates an image after switching to Image → Generate and shows it as binary data', async () => {
		await page.getByTestId('canvas-node').filter({ hasText: CHAT_ACTION }).dblclick();
		const resources = await openSelect(page, 'resource');
		await resources.filter({ hasText: /^Image$/ }).click();
		await expect(inputValue(page, 'operation')).resolves.toBe('Generate');

		const models = await openSelect(page, 'imageModel');
		await models.filter({ hasText: /^gpt-image-1$/ }).waitFor();
		await expect(models.allInnerTexts()).resolves.toEqual(IMAGE_MODELS);
		await screenshot(page, '4-image-model-dropdown');
		await models.filter({ hasText: /^gpt-image-1$/ }).click();
		await page.getByTestId('parameter-input-imagePrompt').locator('textarea').fill(IMAGE_PROMPT);
		await page.getByTestId('node-execute-button').click();

		const output = page.getByTestId('output-panel');
		await output.getByTestId('node-run-status-success').waitFor();
		await output.getByTestId('radio-button-binary').click();
		const card = output.getByTestId('ndv-binary-data_0');
		const details = (await card.innerText()).split('\n').map((line) => line.trim());
		expect(details).toEqual(
			expect.arrayContaining(['data', 'File Name:', 'a-lighthouse-at-sunset-1.png', 'Mime Type:', 'image/png']),
		);
		expect(details[details.indexOf('File Name:') + 1]).toBe('a-lighthouse-at-sunset-1.png');
		expect(details[details.indexOf('Mime Type:') + 1]).toBe('image/png');
		await docScreenshot(page, 'image-preview', output.getByTestId('run-data-pane-header'), card);

		await card.getByTestId('ndv-view-binary-data').click();
		const image = output.getByTestId('ndv-data-container').locator('img');
		await image.waitFor();
		const loadedWidth = image.evaluate((element) => {
			const loaded = element as unknown as { complete: boolean; naturalWidth: number };
			return loaded.complete ? loaded.naturalWidth : 0;
		});
		await expect(loadedWidth).resolves.toBe(4); // TEST_PNG is 4x3
		await screenshot(page, '6-image-view');
		expect(postsTo(server, '/images/generations').map((request) => request.body)).toEqual([
			{ model: 'gpt-image-1', prompt: IMAGE_PROMPT },
		]);
		await output.getByText('Back to list').click();
	});

	it('rejects a Sampling Temperature of 5 given by expression, naming the parameter, and sends nothing', async () => {
		const resources = await openSelect(page, 'resource');
		await resources.filter({ hasText: /^Chat$/ }).click();
		await page.getByTestId('parameter-input-content').locator('textarea').fill(QUESTION);

		// The first "Add Option" is the node's Options; the second is n8n's Request Options.
		await page.getByTestId('collection-parameter-add').first().click();
		await openDropdownOptions(page).filter({ hasText: /^Sampling Temperature$/ }).click();
		const temperature = page.getByTestId('parameter-item').filter({ has: page.getByTestId('parameter-input-temperature') }).last();
		await temperature.hover();
		await temperature.getByTestId('radio-button-expression').click();
		await temperature.locator('.cm-content').first().click();
		await page.keyboard.press('Control+a');
		// The expression editor closes the braces itself.
		await page.keyboard.type('{{ 5 ');
		// The resolved value under the field shows once the editor has stored the expression.
		await temperature.getByText('5', { exact: true }).waitFor();
		await expect(temperature.innerText()).resolves.toContain('{{ 5 }}');

		const chatRequestsBefore = postsTo(server, '/chat/completions').length;
		await page.getByTestId('node-execute-button').click();
		const output = page.getByTestId('output-panel');
		await output.getByTestId('node-error-message').waitFor();
		await expect(output.getByTestId('node-error-message').innerText()).resolves.toBe(
			'Invalid "Sampling Temperature" in item 0: must be between 0 and 2, got 5',
		);
		await expect(output.getByTestId('node-error-description').innerText()).resolves.toBe(
			'Parameter "Sampling Temperature" must be between 0 and 2, got 5. Nothing was sent to the API.',
		);
		await screenshot(page, '7-error');
		await docScreenshot(page, 'error', output.getByTestId('node-error-message'), output.getByTestId('node-error-description'));
		expect(postsTo(server, '/chat/completions')).toHaveLength(chatRequestsBefore);
	});
});
