// The chain behind a hang in the page: each failure preset, run as a person runs it, lists its
// wait-for chain under the hang headline and names the root cause and its line, in English and
// Korean, and the canvas draws the banner, the numbered chain and the root-cause badge whole;
// F3 ends in MemoryError, shows no chain, and its canvas's memory figures add up to the error's.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SCREENSHOTS, newWatchedPage, openLab, runToEnd, startLab } from './browser.mjs';

/** What each preset's chain must say: its first waiter, the root cause, and the line's text. */
const EXPECT = {
  f1: {
    links: 2,
    first: {
      en: /^main waits in thread\.join\(\) at line \d+ for download-\d to end$/,
      ko: /^main 스레드가 \d+번째 줄의 thread\.join\(\)에서 download-\d 스레드가 끝나기를 기다립니다$/,
    },
    root: {
      en: /^no SENTINEL was ever put into download_queue for download-\d \(3 threads read it and 2 have ended\); see line (\d+)$/,
      ko: /^download_queue 큐에 download-\d 스레드를 위한 센티넬이 들어가지 않았습니다 .*\. (\d+)번째 줄을 보세요$/,
    },
    line: 'for _ in threads[1:]',
  },
  f2: {
    links: 1,
    first: {
      en: /^main waits in in_queue\.join\(\) at line \d+ for 1 unfinished task/,
      ko: /^main 스레드가 \d+번째 줄의 in_queue\.join\(\)에서/,
    },
    root: {
      en: /^in_queue\.task_done\(\) was never called for 1 item: consumer took it with in_queue\.get\(\) at line (\d+), and no line calls in_queue\.task_done\(\)$/,
      ko: /^아이템 1개에 대해 in_queue\.task_done\(\)이 호출되지 않았습니다: consumer 스레드가 (\d+)번째 줄의 in_queue\.get\(\)으로 꺼냈지만/,
    },
    line: 'work = in_queue.get()',
  },
  f4: {
    links: 2,
    first: {
      en: /^main waits in in_queue\.put\(\) at line \d+: in_queue is full \(2\/2\)/,
      ko: /^main 스레드가 \d+번째 줄의 in_queue\.put\(\)에서 기다립니다/,
    },
    root: {
      en: /^in_queue and out_queue are full and wait on each other: main cannot put into in_queue \(line (\d+)\) until worker gets from it; worker cannot put into out_queue \(line \d+\) until main gets from it$/,
      ko: /^in_queue 큐와 out_queue 큐가 가득 차서 서로를 기다립니다: main 스레드는 worker 스레드가 꺼낼 때까지 in_queue 큐에 넣을 수 없고\((\d+)번째 줄\)/,
    },
    line: 'in_queue.put(object())',
  },
};

let lab;
let page;
let problems;
before(async () => {
  lab = await startLab();
  ({ page, problems } = await newWatchedPage(lab));
  await recordLastFrame(page);
});
after(async () => {
  await page?.close();
  await lab?.close();
});

/**
 * Keeps the texts the pipeline canvas drew in its last frame (window.__frame): each frame starts
 * by setting the canvas's transform (www/renderer.js `draw`), which nothing else on it does.
 */
function recordLastFrame(page) {
  return page.addInitScript(() => {
    window.__frame = [];
    const proto = CanvasRenderingContext2D.prototype;
    const setTransform = proto.setTransform;
    proto.setTransform = function (...args) {
      if (this.canvas.id === 'pipeline') window.__frame = [];
      return setTransform.apply(this, args);
    };
    const fillText = proto.fillText;
    proto.fillText = function (text, ...rest) {
      if (this.canvas.id === 'pipeline') window.__frame.push(String(text));
      return fillText.call(this, text, ...rest);
    };
  });
}

/** What the canvas's last frame says of the hang: its banner's lines, badges and step numbers. */
async function readCanvas(lang) {
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  const texts = await page.evaluate(() => window.__frame);
  const at = texts.findIndex((x) => x.startsWith(lang === 'en' ? 'Hang: ' : '멈춤: '));
  return {
    texts,
    banner: at < 0 ? null : texts.slice(at, at + 2).join(' '),
    root: texts.find((x) => /^(root cause|근본 원인)/.test(x)) ?? null,
  };
}

/** The chain as the status panel shows it: title, numbered waits, root cause. */
function readChain() {
  return page.evaluate(() => {
    const box = document.querySelector('#status .hang-chain');
    if (!box) return null;
    const list = box.querySelector('ol');
    const title = document.getElementById(list.getAttribute('aria-labelledby'));
    return {
      title: title?.textContent ?? '',
      links: [...list.querySelectorAll('li')].map((li) => li.textContent),
      root: box.querySelector('.hang-root').textContent,
      rootCause: box.querySelector('.hang-root .engine-text').textContent,
    };
  });
}

for (const lang of ['en', 'ko']) {
  for (const [id, want] of Object.entries(EXPECT)) {
    test(`${id.toUpperCase()} in ${lang}: the page lists the wait-for chain and its root cause with the line`, async () => {
      await openLab(page, lab.url, `#p=${id}&s=1000&l=${lang}`);
      const end = await runToEnd(page);
      assert.equal(end.error, '', 'no error shown');
      assert.equal(end.status, 'hang');
      const chain = await readChain();
      assert.ok(chain, 'a chain under the hang headline');
      assert.equal(chain.title, lang === 'en' ? 'Wait-for chain' : '대기 사슬');
      assert.equal(chain.links.length, want.links, JSON.stringify(chain.links));
      assert.match(chain.links[0], want.first[lang]);
      assert.ok(chain.root.startsWith(lang === 'en' ? 'Root cause: ' : '근본 원인: '), chain.root);
      const m = chain.rootCause.match(want.root[lang]);
      assert.ok(m, `root cause: ${chain.rootCause}`);
      // The line it names is the line at fault in the program's source.
      const stats = await page.evaluate(() => window.pipelineLab.stats.hang.chain.root);
      assert.equal(Number(m[1]), stats.line);
      const text = await page.locator(`#code li[data-line="${stats.line}"] code`).textContent();
      assert.ok(text.includes(want.line), `line ${stats.line} is \`${want.line}\`: ${text}`);
      await page.screenshot({ path: join(SCREENSHOTS, `hang-chain-${id}-${lang}.png`) });
      assert.deepEqual(problems, []);
    });
  }
}

test('F3 ends in MemoryError, which has no wait-for chain', async () => {
  await openLab(page, lab.url, '#p=f3&s=1000&l=en');
  const end = await runToEnd(page, { timeout: 60_000 });
  assert.equal(end.error, '', 'no error shown');
  assert.equal(end.status, 'memory_error');
  assert.equal(await readChain(), null);
  assert.deepEqual(problems, []);
});

test('switching the language after a hang words the chain again in the new language', async () => {
  await openLab(page, lab.url, '#p=f4&s=1000&l=en');
  await runToEnd(page);
  assert.match((await readChain()).rootCause, EXPECT.f4.root.en);
  await page.selectOption('#lang', 'ko');
  await page.waitForFunction(
    () => document.querySelector('#status .hang-chain strong')?.textContent === '대기 사슬',
  );
  assert.match((await readChain()).rootCause, EXPECT.f4.root.ko);
  assert.deepEqual(problems, []);
});

for (const lang of ['en', 'ko']) {
  test(`F4 in ${lang}: the canvas draws the hang banner, the numbered chain and the root cause, played at ×1 and stepped`, async () => {
    // Played at the program's own pace: the run ends with nothing in flight, and no later frame
    // would catch up on the stats that say it hung.
    await openLab(page, lab.url, `#p=f4&l=${lang}`);
    const end = await runToEnd(page);
    assert.equal(end.status, 'hang');
    const headline = await page.evaluate(() => window.pipelineLab.stats.hang.headline);
    const played = await readCanvas(lang);
    assert.ok(played.banner?.includes(headline), `banner: ${played.banner} in ${played.texts}`);
    assert.ok(played.texts.includes('1') && played.texts.includes('2'), `${played.texts}`);
    assert.match(played.root ?? '', lang === 'en' ? /^root cause · line 14$/ : /14번째 줄$/);
    // Stepped line by line to the hang: the step that hangs draws it.
    await openLab(page, lab.url, `#p=f4&l=${lang}`);
    for (let i = 0; i < 60 && (await page.isEnabled('#step')); i++) await page.click('#step');
    assert.equal(await page.evaluate(() => window.pipelineLab.stats.status), 'hang');
    const stepped = await readCanvas(lang);
    assert.ok(stepped.banner?.includes(headline), `banner: ${stepped.banner}`);
    assert.ok(stepped.texts.includes('1') && stepped.texts.includes('2'), `${stepped.texts}`);
    assert.ok(stepped.root, `root badge in ${stepped.texts}`);
    await page.screenshot({ path: join(SCREENSHOTS, `hang-canvas-f4-${lang}.png`) });
    assert.deepEqual(problems, []);
  });
}

test('the hang banner shows its whole headline at 1280x720 and 1440x900, normal and presentation mode', async () => {
  try {
    for (const [width, height] of [
      [1280, 720],
      [1440, 900],
    ]) {
      await page.setViewportSize({ width, height });
      for (const present of [false, true]) {
        for (const id of ['f1', 'f2', 'f4']) {
          for (const lang of ['en', 'ko']) {
            const where = `${id} ${lang} ${width}x${height}${present ? ' presentation' : ''}`;
            await page.goto('about:blank');
            await openLab(page, lab.url, `#p=${id}&s=1000&l=${lang}`);
            if (present) await page.click('#present');
            await runToEnd(page);
            const headline = await page.evaluate(() => window.pipelineLab.stats.hang.headline);
            const { banner } = await readCanvas(lang);
            assert.ok(banner?.includes(headline), `${where}: ${banner}`);
            assert.ok(!banner.includes('…'), `${where}: cut: ${banner}`);
          }
        }
      }
    }
  } finally {
    await page.setViewportSize({ width: 1360, height: 1000 });
  }
  assert.deepEqual(problems, []);
});

test("F3's canvas shows the share of every queue its budget counts, adding up to the MemoryError's total", async () => {
  for (const lang of ['en', 'ko']) {
    await openLab(page, lab.url, `#p=f3&s=1000&l=${lang}`);
    const end = await runToEnd(page, { timeout: 60_000 });
    assert.equal(end.status, 'memory_error');
    const report = await page.evaluate(() => window.pipelineLab.stats.memory_error);
    const { texts } = await readCanvas(lang);
    // Every share the canvas writes ("773 MiB of 1 GiB" / "773 MiB / 1 GiB"), in MiB.
    const shares = texts
      .map((x) => x.match(/^([\d,.]+) (B|KiB|MiB|GiB) (of|\/) 1 GiB$/))
      .filter(Boolean)
      .map(([, n, unit]) => Number(n.replaceAll(',', '')) * ({ MiB: 1, GiB: 1024 }[unit] ?? 0));
    // F3's done_queue keeps only the uploads' small results: the budget counts the other three.
    assert.equal(shares.length, report.queues.length - 1, `${texts}`);
    assert.equal(report.queues.find((q) => q.name === 'done_queue').bytes, 0);
    assert.equal(
      shares.reduce((a, b) => a + b, 0),
      report.bytes / 2 ** 20,
      `${shares} against ${report.bytes}`,
    );
    // One sentence and one unit rule: the console's line is the status's and the banner's.
    const sentence = lang === 'en' ? report.message : report.message_ko;
    assert.match(sentence, /\(1,025 MiB\).* 1 GiB/);
    assert.ok(!sentence.includes('`'), sentence);
    assert.equal(end.lines.at(-1), sentence);
    assert.ok(end.statusText.includes(sentence), end.statusText);
    const at = texts.findIndex((x) => x.startsWith('MemoryError: '));
    const banner = texts.slice(at, at + 2).join(' ');
    assert.ok(at >= 0 && banner.includes(sentence), `banner: ${texts}`);
  }
  assert.deepEqual(problems, []);
});
