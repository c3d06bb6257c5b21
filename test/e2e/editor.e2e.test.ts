/**
 * The package in n8n's editor, in a real (headless) Chromium: sign in, open a new workflow, find
 * "OpenAI REST" in the node panel, add it, and see its selectors and the model dropdown filled from
 * the local OpenAI-compatible server. Screenshots go to .e2e/screenshots/ (git-ignored).
 *
 * Needs Debian's chromium (`apt-get install -y chromium`), or E2E_CHROMIUM=/path/to/chrome.
 */
import fs from 'fs';
import path from 'path';
import { type Browser, chromium, type Locator, type Page, selectors } from 'playwright-core';

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
const API_KEY = 'fake-e2e-editor-key';
const CREDENTIAL = { id: 'e2eEditorCred001', name: 'OpenAI REST account' };
const UI_TIMEOUT_MS = 60_000;

const CHAT_MODELS = EXPECTED_MODELS.chat;
const IMAGE_MODELS = EXPECTED_MODELS.image;

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

async function screenshot(page: Page, name: string): Promise<void> {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	// 'disabled' finishes the dropdowns' fade-in first
	await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
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
		for (const action of [
			'Message a chat model and get its reply',
			'Complete a text prompt',
			'Edit a text by instruction',
			'Generate an image from a text prompt',
			'List available models',
			'Get details of a model',
			'Classify content for policy violations',
		]) {
			await panel.getByText(action, { exact: true }).waitFor();
		}
		await screenshot(page, '2-node-actions');
	});

	it('adds the node with the credential preselected and shows the resource and operation selectors', async () => {
		await page.getByTestId('node-creator').getByText('Message a chat model and get its reply', { exact: true }).click();

		const parameters = page.getByTestId('node-parameters');
		await parameters.waitFor();
		await expect(page.getByTestId('node-credentials-select').locator('input').inputValue()).resolves.toBe(CREDENTIAL.name);
		await expect(page.getByTestId('parameter-input-resource').locator('input').inputValue()).resolves.toBe('Chat');
		await expect(page.getByTestId('parameter-input-operation').locator('input').inputValue()).resolves.toBe(
			'Create Completion',
		);
	});

	it('lists the six resources in the Resource selector', async () => {
		const options = await openSelect(page, 'resource');
		// n8n adds "Custom API Call" to every node that has a credential.
		await expect(options.allInnerTexts()).resolves.toEqual([
			'Chat',
			'Edit',
			'Image',
			'Model',
			'Moderation',
			'Text',
			'Custom API Call',
		]);
		await closeSelect(page, 'resource');
	});

	it('fills the model dropdown with the chat models from the server, filtered and sorted', async () => {
		const options = await openSelect(page, 'chatModel');
		await expect(options.allInnerTexts()).resolves.toEqual(CHAT_MODELS);
		await screenshot(page, '3-chat-model-dropdown');

		// The editor loaded them from the server (it may do so as soon as the node opens).
		const modelRequests = server.requests.filter((request) => request.method === 'GET' && request.path === '/models');
		expect(modelRequests.length).toBeGreaterThan(0);
		expect(modelRequests.every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
		await closeSelect(page, 'chatModel');
	});

	it('reloads the model dropdown with image models after switching the resource to Image', async () => {
		const resources = await openSelect(page, 'resource');
		await resources.filter({ hasText: /^Image$/ }).click();
		await expect(page.getByTestId('parameter-input-operation').locator('input').inputValue()).resolves.toBe('Generate');

		const models = await openSelect(page, 'imageModel');
		await models.filter({ hasText: /^gpt-image-1$/ }).waitFor();
		await expect(models.allInnerTexts()).resolves.toEqual(IMAGE_MODELS);
		await screenshot(page, '4-image-model-dropdown');
		await closeSelect(page, 'imageModel');
	});
});
