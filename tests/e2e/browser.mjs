// Shared set-up for the browser tests: the in-process server, headless Debian Chromium through
// playwright-core, a page that records every console error, and opening the lab on a preset.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT, startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-output');

// Flags that work as root on these machines (shared/PLATFORM.md).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the static server on an ephemeral port and Chromium with a fresh profile. */
export async function startLab({ isolation = true } = {}) {
  const server = await startServer({ port: 0, isolation });
  const profile = await mkdtemp(join(tmpdir(), 'pipeline-lab-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
      locale: 'en-US',
    });
  } catch (error) {
    await server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    // 127.0.0.1 rather than localhost: Node may resolve localhost to ::1, where we do not listen.
    url: `http://127.0.0.1:${server.port}/`,
    context,
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A new page whose console errors, uncaught exceptions and failed requests land in `problems`. */
export async function newWatchedPage(lab) {
  const page = await lab.context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

/** Loads the page, waits for the engine, then picks language, preset and speed. */
export async function openPreset(page, url, { preset, lang = 'en', speed = '100' }) {
  await page.goto(url);
  await page.waitForFunction(
    () => document.body.dataset.ready === 'true' || !document.getElementById('error').hidden,
    null,
    { timeout: 30_000 },
  );
  const error = await page.locator('#error').textContent();
  if (error) throw new Error(`page shows an error after loading: ${error}`);
  await page.selectOption('#lang', lang);
  await page.selectOption('#preset', preset);
  await page.selectOption('#speed', speed);
}

/** Waits until the engine reports `status` (or any end state, then compares). */
export async function waitForEnd(page, { timeout = 90_000 } = {}) {
  await page.waitForFunction(
    () => {
      const status = document.getElementById('status').dataset.status;
      const error = document.getElementById('error');
      return (status && status !== 'running') || !error.hidden;
    },
    null,
    { timeout, polling: 100 },
  );
  return page.evaluate(() => ({
    status: document.getElementById('status').dataset.status,
    statusText: document.getElementById('status').textContent,
    error: document.getElementById('error').textContent,
    lines: [...document.querySelectorAll('#console .line')].map((line) => line.textContent),
    itemsDone: document.getElementById('items-done').textContent,
  }));
}
