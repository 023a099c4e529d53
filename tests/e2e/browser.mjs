// Shared set-up for the browser tests: the in-process server, headless Debian Chromium through
// playwright-core, a page that records every console error, and helpers that drive the page the
// way a person does (pick, play, drag a slider) and read what it shows.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM, launchWithProfile } from '../../scripts/chromium.mjs';
import { REPO_ROOT, startServer } from '../../scripts/serve.mjs';

export { CHROMIUM };
export const SCREENSHOTS = join(REPO_ROOT, 'test-output');

/** Starts the static server on an ephemeral port and Chromium with a fresh profile. */
export async function startLab({
  isolation = true,
  root,
  serviceWorkers = 'allow',
  locale = 'en-US',
  hasTouch = false,
} = {}) {
  const server = await startServer({ port: 0, isolation, ...(root ? { root } : {}) });
  const { context, close } = await launchWithProfile(server, {
    viewport: { width: 1360, height: 1000 },
    locale,
    serviceWorkers,
    hasTouch,
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    // 127.0.0.1 rather than localhost: Node may resolve localhost to ::1, where we do not listen.
    url: `http://127.0.0.1:${server.port}/`,
    context,
    close,
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
  page.on('requestfailed', (request) => {
    // A navigation that a reload (coi-serviceworker) cuts short is not a failure of the page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

/** Opens the page at `hash` and waits for the engine (or a shown error). */
export async function openLab(page, url, hash = '') {
  await page.goto(`${url}${hash}`);
  await waitForReady(page);
}

export async function waitForReady(page) {
  await page.waitForFunction(
    () => document.body.dataset.ready === 'true' || !document.getElementById('error').hidden,
    null,
    { timeout: 30_000 },
  );
  const error = await page.locator('#error').textContent();
  if (error) throw new Error(`page shows an error after loading: ${error}`);
}

/** Waits until the run has ended (finished, hang or memory_error) and returns what is shown. */
export async function waitForEnd(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(
    () => {
      const status = document.getElementById('status').dataset.status;
      const error = document.getElementById('error');
      return (status && status !== 'running') || !error.hidden;
    },
    null,
    { timeout, polling: 50 },
  );
  return readPage(page);
}

/** What the page shows: status, console lines, numbers of the readout. */
export function readPage(page) {
  return page.evaluate(() => {
    const value = (id) => Number(document.getElementById(id).dataset.value);
    return {
      status: document.getElementById('status').dataset.status,
      statusText: document.getElementById('status').textContent,
      error: document.getElementById('error').textContent,
      notice: document.getElementById('notice').textContent,
      lines: [...document.querySelectorAll('#console .line')].map((line) => line.textContent),
      itemsDone: document.getElementById('items-done').textContent,
      throughput: value('throughput'),
      timeUs: value('virtual-time'),
      phase: document.body.dataset.phase,
    };
  });
}

/** Picks a program in the picker, as a person does. */
export async function pickPreset(page, id) {
  await page.selectOption('#preset', id);
  await page.waitForFunction(
    (want) =>
      window.pipelineLab.state.preset === want && document.querySelector('#run:not([disabled])'),
    id,
  );
}

/**
 * Drags the range input `id` to `value` (one of its stops): one 'input' and one 'change' event,
 * as letting go of the thumb gives.
 */
export async function setSlider(page, id, value) {
  const ok = await page.evaluate(
    ({ id, value }) => {
      const el = document.getElementById(id);
      const stops = el.dataset.stops.split(',').map(Number);
      const i = stops.indexOf(value);
      if (i < 0) return false;
      el.value = String(i);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    { id, value },
  );
  if (!ok) throw new Error(`slider #${id} has no stop ${value}`);
}

/** Clicks Play and waits for the end; returns what is shown. */
export async function runToEnd(page, options) {
  await page.click('#run');
  return waitForEnd(page, options);
}
