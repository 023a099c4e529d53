// Korean as a Korean teacher would write it: every program walked in Korean (ready, mid-run, at
// its end, the list of threads and queues open, the help shown) and every string the page shows
// checked, DOM text, accessible names and what the canvas draws: no English sentence outside
// code, identifiers and units; particles written against the word before them, chosen for it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newWatchedPage, openLab, runToEnd, startLab } from './browser.mjs';

const PROGRAMS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4', 'builder'];

let lab;
before(async () => {
  lab = await startLab({ locale: 'ko-KR' });
});
after(async () => {
  await lab?.close();
});

/**
 * A plain English word: letters only, maybe in parentheses or before punctuation. Code
 * (`get()`, `download_queue`, `t = 1.5`), numbers and units (`ms`, `MiB`) are not words.
 */
const WORD = /^\(?[A-Za-z][a-z]*[,.:;!?)]*$/;
const UNITS = new Set(['s', 'ms', 'µs', 'us', 'B', 'KiB', 'MiB', 'GiB', 'deque']);

/** Runs of three or more English words in a row: an English sentence or phrase. */
export function englishPhrases(text) {
  const found = [];
  for (const line of text.split('\n')) {
    let run = [];
    const flush = () => {
      if (run.length >= 3) found.push(run.join(' '));
      run = [];
    };
    for (const token of line.split(/\s+/).filter(Boolean)) {
      const bare = token.replace(/^\(|[,.:;!?)]+$/g, '');
      if (WORD.test(token) && !UNITS.has(bare)) run.push(token);
      else flush();
    }
    flush();
  }
  return found;
}

/**
 * Particles set apart from the word they belong to ("get() 은", "queue 의") or hedged because the
 * word was not known ("이(가)", "을(를)", "(으)로").
 */
export function badParticles(text) {
  const spaced =
    /[A-Za-z0-9_)\]}] (은|는|이|가|을|를|의|에|에서|에게|과|와|로|으로|도)(?=[\s.,:;)]|$)/gu;
  const hedged = /이\(가\)|은\(는\)|을\(를\)|과\(와\)|\(으\)로/gu;
  return [...text.matchAll(spaced), ...text.matchAll(hedged)].map((m) =>
    text.slice(Math.max(0, m.index - 20), m.index + m[0].length + 10),
  );
}

test('the checks catch what they are for', () => {
  assert.deepEqual(englishPhrases('MemoryError: 1025 items queued exceed the budget'), [
    'items queued exceed the budget',
  ]);
  assert.deepEqual(englishPhrases('download_queue 의 get() · 12.5 ms · Web Worker · 1,000개'), []);
  assert.equal(badParticles('get() 은 막힙니다').length, 1);
  assert.ok(badParticles('main 이(가) 기다립니다').length >= 1);
  assert.equal(badParticles('get()은 막힙니다, download_queue에서').length, 0);
});

/**
 * Sentences the engine writes (src/: preset titles and summaries, console lines, what a hung
 * thread waits on). The page shows them as they come; their Korean is the engine's to fix.
 */
const FROM_ENGINE = '#console, #summary, #preset, .engine-text';

/**
 * Everything the page says now: {page, engine}: text (code excepted), accessible names, titles
 * and what the canvas draws; `engine` the part that comes from the engine's own sentences.
 */
function shownText(page) {
  return page.evaluate((FROM_ENGINE) => {
    const parts = [];
    const engine = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      // Python source is code; the noscript line is for a page without JavaScript.
      if (el.closest('#code, code, kbd, noscript, script, style')) continue;
      if (!node.textContent.trim()) continue;
      (el.closest(FROM_ENGINE) ? engine : parts).push(node.textContent.trim());
    }
    for (const el of document.querySelectorAll('[aria-label], [title]')) {
      if (el.closest('#code')) continue;
      for (const attr of ['aria-label', 'title', 'aria-valuetext']) {
        const v = el.getAttribute(attr);
        if (v) (el.closest(FROM_ENGINE) ? engine : parts).push(v);
      }
    }
    parts.push(document.title, ...window.__canvasText);
    window.__canvasText.clear();
    return { page: parts.join('\n'), engine: engine.join('\n') };
  }, FROM_ENGINE);
}

/** Walks every program in Korean; `check(program, moment, shown)` sees what each moment shows. */
async function walkKorean(check) {
  const { page, problems } = await newWatchedPage(lab);
  await page.addInitScript(() => {
    window.__canvasText = new Set();
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
      window.__canvasText.add(String(text));
      return fill.call(this, text, ...rest);
    };
  });
  for (const program of PROGRAMS) {
    await page.goto('about:blank');
    await openLab(page, lab.url, `#p=${program}&l=ko&s=100`);
    await page.evaluate(() => {
      document.getElementById('roster').open = true;
    });
    check(program, 'ready', await shownText(page));
    for (let i = 0; i < 5 && (await page.isEnabled('#step')); i++) await page.click('#step');
    check(program, 'stepped', await shownText(page));
    await runToEnd(page);
    await page.waitForTimeout(100);
    check(program, 'end', await shownText(page));
  }
  await page.click('#help-button');
  check('help', 'open', await shownText(page));
  await page.close();
  return problems;
}

test('every program reads in Korean: no English sentence, particles fit the word', async () => {
  const english = [];
  const particles = [];
  const problems = await walkKorean((program, moment, shown) => {
    for (const text of [shown.page, shown.engine]) {
      for (const p of englishPhrases(text)) english.push(`${program} ${moment}: ${p}`);
    }
    for (const p of badParticles(shown.page)) particles.push(`${program} ${moment}: ${p}`);
  });
  assert.deepEqual([...new Set(english)], [], 'English in the Korean page');
  assert.deepEqual([...new Set(particles)], [], 'particles apart from their word');
  assert.deepEqual(problems, []);
});

test("the engine's Korean sentences attach their particles", async () => {
  const particles = [];
  await walkKorean((program, moment, shown) => {
    for (const p of badParticles(shown.engine)) particles.push(p);
  });
  assert.deepEqual([...new Set(particles)], []);
});
