// A live thread that dies in the browser: on the threaded page (pkg/mt, cross-origin isolated), a
// test-only fault kills one of the run's Web Worker threads, by a panic or by an allocation larger
// than the module's memory. The page shows the run's error report (never "running" for ever), the
// panic hook has the message, and after Reset the same pool runs the program to its end.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../scripts/serve.mjs';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  readPage,
  startLab,
  waitForEnd,
} from './browser.mjs';

const HAVE_MT = existsSync(join(REPO_ROOT, 'pkg', 'mt', 'pipeline_lab.js'));
const skip = HAVE_MT ? false : 'pkg/mt is not built (scripts/build-wasm-mt.sh; npm test builds it)';

let lab;
before(async () => {
  if (!skip) lab = await startLab();
});
after(async () => {
  await lab?.close();
});

/** The fault each kind injects, as the panic hook words it (src/live/fault.rs, src/oom.rs). */
const CAUSES = {
  panic: 'test-only fault: a live thread panics',
  alloc: 'memory allocation of 1610612736 bytes failed',
};

/** Arms the fault in the page's own pkg/mt module (the one the page's run uses). */
function injectFault(page, kind) {
  return page.evaluate(async (kind) => {
    const module = await import('/pkg/mt/pipeline_lab.js');
    module.testOnlyInjectLiveFault(kind);
  }, kind);
}

function lastPanic(page) {
  return page.evaluate(async () => (await import('/pkg/mt/pipeline_lab.js')).lastPanic());
}

const NAMES = { panic: 'a panic', alloc: 'a failed allocation' };

for (const kind of ['panic', 'alloc']) {
  test(
    `a live thread lost to ${NAMES[kind]} ends the run with a report, and the pool runs on`,
    { skip },
    async () => {
      const { page, problems } = await newWatchedPage(lab);
      await openLab(page, lab.url, '#p=p6&s=1&e=threads');
      assert.equal(await page.evaluate(() => window.pipelineLab.state.engine), 'threads');
      await page.click('#run');
      await page.waitForFunction(() => window.pipelineLab.timeUs() > 20_000);
      await injectFault(page, kind);

      const end = await waitForEnd(page, { timeout: 30_000 });
      assert.equal(end.status, 'hang', JSON.stringify(end));
      const cause = CAUSES[kind];
      const report = await page.locator('.hang-message').textContent();
      assert.match(report, /failed inside the engine/);
      assert.ok(report.includes(cause), report);
      assert.ok(
        end.lines.some((line) => line.includes(cause)),
        JSON.stringify(end.lines),
      );
      const stats = await page.evaluate(() => window.pipelineLab.stats);
      assert.equal(stats.hang.kind, 'thread_lost');
      assert.ok((await lastPanic(page)).includes(cause));
      await page.screenshot({ path: join(SCREENSHOTS, `thread-loss-${kind}.png`) });

      // Reset, then the same program on the same pool, fast, to its end.
      await page.click('#reset');
      await page.evaluate(() => {
        const el = document.getElementById('speed');
        el.value = el.max;
        el.dispatchEvent(new Event('input'));
      });
      await page.click('#run');
      const again = await waitForEnd(page, { timeout: 60_000 });
      assert.equal(again.status, 'finished', JSON.stringify(again));
      assert.ok(again.lines.includes('1000 items processed'), JSON.stringify(again.lines));
      assert.equal((await readPage(page)).error, '');

      // The only errors are the fault's own: the panic hook's console line (and the dead worker's
      // `unreachable`, where the browser reports it).
      const others = problems.filter((p) => !p.includes(cause) && !/unreachable/.test(p));
      assert.deepEqual(others, []);
      assert.ok(
        problems.some((p) => p.includes('pipeline-lab panicked') && p.includes(cause)),
        JSON.stringify(problems),
      );
      await page.close();
    },
  );
}
