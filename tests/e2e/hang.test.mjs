// The chain behind a hang in the page: each failure preset, run as a person runs it, lists its
// wait-for chain under the hang headline and names the root cause and its line, in English and
// Korean; F3 ends in MemoryError and shows no chain.

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
});
after(async () => {
  await page?.close();
  await lab?.close();
});

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
