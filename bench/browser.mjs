// Headless Chromium for bench/run.mjs: serves the repo (scripts/serve.mjs, cross-origin
// isolated), opens bench/browser/index.html in Debian's Chromium through playwright-core and
// forwards calls to its `window.bench` (bench/browser/harness.js).

import { CHROMIUM, launchWithProfile } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/serve.mjs';

export { CHROMIUM };

/**
 * Starts server and browser; resolves to {env, model(spec, minSeconds), liveInfo(), live(spec),
 * close()}.
 */
export async function openBench() {
  const server = await startServer({ port: 0 });
  const { context, close } = await launchWithProfile(server);
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // 127.0.0.1: Node may resolve localhost to ::1, where the server does not listen.
    // BENCH_LIVE_ENGINE=model: a dry run of the live harness on pkg/mt's model engine (harness.js).
    const query = process.env.BENCH_LIVE_ENGINE
      ? `?liveEngine=${encodeURIComponent(process.env.BENCH_LIVE_ENGINE)}`
      : '';
    await page.goto(`http://127.0.0.1:${server.port}/bench/browser/index.html${query}`);
    await page
      .waitForFunction(() => document.documentElement.dataset.ready === 'true', null, {
        timeout: 30_000,
      })
      .catch(() => {
        throw new Error(`bench page did not start: ${errors.join('; ') || 'no error shown'}`);
      });
    const env = await page.evaluate(() => globalThis.bench.env());
    const call = (name, arg, timeout = 10 * 60_000) => {
      page.setDefaultTimeout(timeout);
      return page.evaluate(([n, a]) => globalThis.bench[n](a), [name, arg]);
    };
    return {
      env,
      errors,
      model: (spec, minSeconds = 0) => call('model', { spec, minSeconds }),
      liveInfo: () => call('liveInfo', null),
      live: (spec) => call('live', spec),
      baseline: (spec) => call('baseline', spec),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
