// Debian's Chromium for the browser tests and benchmarks: its path and the launch flags that
// work as root on these machines (ARCHITECTURE.md). One place, so the three users agree.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium's connections are refused by the closed
// network, many at a time.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium with a fresh profile, for a server that is already listening. Resolves to
 * {context, close()}; `close` ends the browser, the server and the profile, and a failed start
 * closes the server and removes the profile before it throws. `options` go to playwright's
 * launchPersistentContext (viewport, locale, serviceWorkers).
 */
export async function launchWithProfile(server, options = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'pipeline-lab-chromium-'));
  const cleanUp = async () => {
    await server.close();
    await rm(profile, { recursive: true, force: true });
  };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      ...options,
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await cleanUp();
    },
  };
}
