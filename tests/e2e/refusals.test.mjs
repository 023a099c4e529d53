// A refused live change told to a Python programmer: every refusal the engine can give
// (src/scenario/validate.rs `refused`, the pool limit in src/web.rs, a value out of range) maps to
// a sentence of the page's own, in English and Korean, that names the stage or queue and never
// shows the engine's field path (`stages[0].workers`). Runs in Node: i18n.js needs no browser.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../scripts/serve.mjs';
import { refusalText, t } from '../../www/i18n.js';

/** The engine's refusal reasons, read from its source so that a reworded one is noticed. */
async function engineReasons() {
  const src = await readFile(join(REPO_ROOT, 'src/scenario/validate.rs'), 'utf8');
  const block = src.slice(src.indexOf('pub mod refused'));
  const reasons = [...block.matchAll(/pub const (\w+): &str =\s*"([^"]+)"/g)].map((m) => ({
    name: m[1],
    text: m[2],
  }));
  assert.ok(reasons.length >= 5, `found ${reasons.length} refusal reasons`);
  return reasons;
}

const WHY = {
  STAGE_CLOSING: 'why.closing',
  NO_WORKERS: 'why.noWorkers',
  FIXED_SENTINELS: 'why.fixedSentinels',
  RUN_ENDED: 'why.ended',
  POLLING_NO_MAXSIZE: 'why.polling',
};

test("each of the engine's refusals has the page's own words, in both languages", async () => {
  for (const { name, text } of await engineReasons()) {
    assert.ok(WHY[name], `a wording for the engine's ${name}`);
    for (const lang of ['en', 'ko']) {
      const param = name === 'POLLING_NO_MAXSIZE' ? 'maxsize' : 'workers';
      const field = param === 'workers' ? 'stages[1].workers' : 'queues[0].maxsize';
      const shown = refusalText(lang, { param, name: 'resize', value: 4 }, `${field}: ${text}`);
      assert.ok(shown.includes(t(lang, WHY[name])), `${lang} ${name}: ${shown}`);
      assert.ok(shown.includes('resize'), `names the stage or queue: ${shown}`);
      assert.doesNotMatch(shown, /stages\[|queues\[|\]\./, shown);
    }
  }
});

test('the pool limit and an out-of-range value keep their numbers, without field paths', () => {
  const pool =
    'stages[1].workers: 32 workers need more threads than the pool has; on real threads this run allows at most 21 a stage (a pool of 64 threads)';
  const range = 'stages[0].workers: 40 is out of range (allowed: 1..=32)';
  for (const lang of ['en', 'ko']) {
    const a = refusalText(lang, { param: 'workers', name: 'resize', value: 8 }, pool);
    assert.match(a, /21/);
    assert.match(a, /64/);
    assert.doesNotMatch(a, /stages\[/);
    const b = refusalText(lang, { param: 'workers', name: 'download', value: 3 }, range);
    assert.match(b, /1–32/);
    assert.doesNotMatch(b, /stages\[|\.\.=/);
  }
  assert.match(
    refusalText('en', { param: 'workers', name: 'resize', value: 8 }, pool),
    /at most 21/,
  );
});
