// Panels: Python source with a mark per thread, console, status and stats tables, written from
// what it is given. It must not call the engine or keep simulation state (only what it has drawn).

import { chainBlock, markRootLine } from './hang-chain.js';
import { STATE, STATES, stateIconUrl } from './icons.js';
import {
  formatBytes,
  formatDuration,
  formatNumber,
  formatRate,
  formatSeconds,
  memoryErrorText,
  t,
} from './i18n.js';
import './i18n-numbers.js';

/** How many of the console's last lines show beside the code. */
const CONSOLE_TAIL = 3;
/** How long a confirmation (a copied link) stays on screen (ms). */
const TRANSIENT_MS = 4000;

const PY_KEYWORDS = new Set(
  'def class return if else elif while for in try except finally with as import from pass break continue yield raise not and or is None True False lambda global nonlocal'.split(
    ' ',
  ),
);

export class Panels {
  constructor(doc) {
    this.doc = doc;
    this.$ = (id) => doc.getElementById(id);
    this.code = this.$('code');
    this.console = this.$('console');
    this.consoleTail = this.$('console-tail');
    this.status = this.$('status');
    this.error = this.$('error');
    this.notice = this.$('notice');
    this.drawnLines = 0;
    this.lineMarks = [];
    this.markSignature = [];
    this.threadLabel = () => '';
    this.lang = 'en';
    this.lastLines = new Uint32Array(0);
    this.lastStates = new Uint8Array(0);
    this.lastRan = null;
    this.scenario = null;
    this.rosterStats = null;
    this.roster = this.$('roster');
    this.rosterList = this.$('roster-list');
    this.roster?.addEventListener('toggle', () => this.renderRoster());
  }

  // --- the Python source ----------------------------------------------------------------

  /**
   * Writes one source line into `code`. The indentation is a margin, not spaces, so that a line
   * too wide for the panel wraps under its own indentation (plus two), as an editor's soft wrap
   * does, not at column 0.
   */
  fillCode(code, text) {
    const indent = text.length - text.trimStart().length;
    code.replaceChildren(...highlight(this.doc, text.trimStart()));
    code.style.paddingLeft = `${indent + 2}ch`;
    code.style.textIndent = '-2ch';
  }

  /** The same program's source in another language (its `print`s' words): the marks stay. */
  retextSource(source) {
    this.code.querySelectorAll('li code').forEach((code, i) => {
      if (source[i] !== undefined) this.fillCode(code, source[i]);
    });
  }

  /** Shows `source` (lines). `threadLabel(t)` names a thread's mark (its stage or its name). */
  setSource(source, threadLabel) {
    this.threadLabel = threadLabel;
    const items = source.map((text, i) => {
      const li = this.doc.createElement('li');
      li.dataset.line = String(i + 1);
      const ln = this.doc.createElement('span');
      ln.className = 'ln';
      ln.textContent = String(i + 1);
      ln.setAttribute('aria-hidden', 'true');
      const code = this.doc.createElement('code');
      this.fillCode(code, text);
      const marks = this.doc.createElement('span');
      marks.className = 'marks';
      li.append(ln, code, marks);
      return li;
    });
    this.code.replaceChildren(...items);
    this.lineMarks = items.map((li) => li.querySelector('.marks'));
    this.markSignature = items.map(() => '');
    this.lastLines = new Uint32Array(0);
    this.lastStates = new Uint8Array(0);
    this.lastRan = null;
    this.code.scrollTop = 0;
  }

  /**
   * Marks each thread on its line: one chip per (label, state), with a count when several
   * threads of a stage share it. `lines` and `states` are the frame's views (read at once).
   * `follow`: 'last' keeps the line that last ran in view, 'all' every marked line (Play);
   * `ranThread`, when the engine says which thread ran, picks that thread's line.
   */
  updateMarks(lines, states, { follow = 'last', ranThread = null } = {}) {
    const perLine = new Map();
    const n = Math.min(lines.length, states.length);
    for (let i = 0; i < n; i++) {
      const line = lines[i];
      const state = states[i];
      if (line === 0 || state === STATE.ended || state === STATE.not_started) continue;
      const label = this.threadLabel(i);
      const key = `${label}\u0000${state}`;
      let chips = perLine.get(line);
      if (!chips) perLine.set(line, (chips = new Map()));
      const chip = chips.get(key);
      if (chip) chip.count++;
      else chips.set(key, { label, state, count: 1, thread: i });
    }
    for (let l = 0; l < this.lineMarks.length; l++) {
      const chips = perLine.get(l + 1);
      const list = chips ? [...chips.values()] : [];
      const signature = list.map((c) => `${c.label}:${c.state}:${c.count}`).join('|');
      if (signature === this.markSignature[l]) continue;
      this.markSignature[l] = signature;
      const li = this.lineMarks[l].parentElement;
      li.classList.toggle('active', list.length > 0);
      this.lineMarks[l].replaceChildren(...list.map((c) => this.chip(c)));
    }
    // The line of the thread that ran since the last call: the one the engine names, else the
    // last one whose line or state moved.
    let ran = null;
    for (let i = 0; i < n; i++) {
      if (lines[i] !== this.lastLines[i] || states[i] !== this.lastStates[i]) {
        if (lines[i] > 0) ran = lines[i];
      }
    }
    if (ranThread !== null && lines[ranThread] > 0) ran = lines[ranThread];
    this.lastLines = Uint32Array.from(lines);
    this.lastStates = Uint8Array.from(states);
    if (ran !== null && ran !== this.lastRan) {
      if (this.lastRan)
        this.lineMarks[this.lastRan - 1]?.parentElement.classList.remove('last-ran');
      this.lineMarks[ran - 1]?.parentElement.classList.add('last-ran');
      this.lastRan = ran;
    }
    if (follow === 'all' && perLine.size) {
      this.keepInView(Math.min(...perLine.keys()), Math.max(...perLine.keys()), this.lastRan);
    } else if (this.lastRan) {
      this.keepInView(this.lastRan, this.lastRan, this.lastRan);
    }
  }

  /**
   * Scrolls the code panel (never the page) so that lines `first`..`last` show, or when they
   * do not fit, line `focus`. Does nothing while they are already in view.
   */
  keepInView(first, last, focus) {
    const box = this.code;
    const top = (l) => this.lineMarks[l - 1]?.parentElement;
    const a = top(first);
    const b = top(last);
    if (!a || !b || box.clientHeight === 0) return;
    const boxTop = box.getBoundingClientRect().top - box.scrollTop;
    const y0 = a.getBoundingClientRect().top - boxTop;
    const y1 = b.getBoundingClientRect().bottom - boxTop;
    const view0 = box.scrollTop;
    const view1 = box.scrollTop + box.clientHeight;
    if (y0 >= view0 && y1 <= view1) return;
    if (y1 - y0 <= box.clientHeight - 8) {
      box.scrollTop = Math.max(0, y0 - Math.max(4, (box.clientHeight - (y1 - y0)) / 3));
      return;
    }
    const f = top(focus ?? first);
    if (!f) return;
    const fy = f.getBoundingClientRect().top - boxTop;
    if (fy < view0 || fy + f.offsetHeight > view1) {
      box.scrollTop = Math.max(0, fy - box.clientHeight / 3);
    }
  }

  /**
   * Marks the line that just ran (1-based; 0 or null: none) with the thread that ran it, so that
   * a step shows which line of which thread it was.
   */
  markJustRan(line, label) {
    const previous = this.code.querySelector('li.just-ran');
    const marks = line ? this.lineMarks[line - 1] : null;
    const li = marks?.parentElement ?? null;
    if (previous && previous !== li) {
      previous.classList.remove('just-ran');
      delete previous.querySelector('.marks').dataset.ran;
    }
    if (!li) return;
    li.classList.add('just-ran');
    marks.dataset.ran = label;
    // The label can make a line wrap and move the others: keep the line that last ran in view.
    if (this.lastRan) this.keepInView(this.lastRan, this.lastRan, this.lastRan);
  }

  chip({ label, state, count }) {
    const span = this.doc.createElement('span');
    span.className = `mark mark-${state}`;
    const img = this.doc.createElement('img');
    img.src = stateIconUrl(state, 14);
    img.alt = '';
    img.width = 14;
    img.height = 14;
    const text = this.doc.createElement('span');
    text.textContent = count > 1 ? `${label} ×${count}` : label;
    span.title = t(this.lang, `state.${state}`);
    span.append(img, text);
    span.setAttribute('aria-label', `${text.textContent}: ${span.title}`);
    return span;
  }

  // --- the console ------------------------------------------------------------------------

  renderConsole(lines, redraw = false) {
    if (redraw || lines.length < this.drawnLines) {
      this.console.replaceChildren();
      this.drawnLines = 0;
    }
    if (lines.length === this.drawnLines) return;
    const nearBottom =
      this.console.scrollHeight - this.console.scrollTop - this.console.clientHeight < 24;
    const fragment = this.doc.createDocumentFragment();
    for (const line of lines.slice(this.drawnLines)) {
      const div = this.doc.createElement('div');
      div.className =
        line.startsWith('MemoryError') || /Error:/.test(line) ? 'line line-error' : 'line';
      div.textContent = line;
      fragment.append(div);
    }
    this.console.append(fragment);
    this.drawnLines = lines.length;
    if (nearBottom) this.console.scrollTop = this.console.scrollHeight;
    this.renderConsoleTail(lines);
  }

  /** The last CONSOLE_TAIL lines, beside the code: a print and what it printed in one view. */
  renderConsoleTail(lines) {
    if (!this.consoleTail) return;
    this.consoleTail.replaceChildren(
      ...lines.slice(-CONSOLE_TAIL).map((line, i, shown) => {
        const div = this.doc.createElement('div');
        div.className = i === shown.length - 1 ? 'line newest' : 'line';
        if (/Error:/.test(line)) div.classList.add('line-error');
        div.textContent = line;
        return div;
      }),
    );
  }

  // --- status and stats -------------------------------------------------------------------

  /** Builds the stage and queue tables for a scenario (rows by index). */
  setTables(scenario, lang) {
    this.lang = lang;
    this.scenario = scenario;
    this.rosterStats = null;
    this.rosterList?.replaceChildren();
    const stageRows = (scenario.stages ?? []).map((stage, s) => {
      const tr = this.doc.createElement('tr');
      tr.dataset.stage = String(s);
      tr.innerHTML =
        '<th scope="row"></th><td class="num" data-k="workers"></td><td data-k="util"><span class="bar"><span></span></span><span class="num"></span></td>' +
        '<td class="num" data-k="bget"></td><td class="num" data-k="bput"></td><td class="num" data-k="L"></td><td class="num" data-k="lw"></td>';
      tr.querySelector('th').textContent = stage.name;
      return tr;
    });
    this.$('stages-body').replaceChildren(...stageRows);
    this.$('stages-table').hidden = stageRows.length === 0;
    const queueRows = (scenario.queues ?? []).map((queue, q) => {
      const tr = this.doc.createElement('tr');
      tr.dataset.queue = String(q);
      tr.innerHTML =
        '<th scope="row"></th><td class="num" data-k="maxsize"></td><td class="num" data-k="len"></td><td class="num" data-k="mean"></td><td class="num" data-k="max"></td><td class="num" data-k="unfinished"></td><td class="num" data-k="bytes"></td>';
      tr.querySelector('th').textContent = queue.name;
      return tr;
    });
    this.$('queues-body').replaceChildren(...queueRows);
  }

  /**
   * Shows `stats` (the engine's Stats object). `phase` is what the page is doing: 'ready',
   * 'paused', 'playing' or 'ended'.
   */
  renderStats(
    stats,
    lang,
    { phase = 'playing', redraw = false, bottleneck = stats.bottleneck } = {},
  ) {
    this.lang = lang;
    const set = (id, text, value) => {
      const el = this.$(id);
      if (!el) return;
      if (el.textContent !== text) el.textContent = text;
      if (value !== undefined) el.dataset.value = String(value);
    };
    this.renderConsole(stats.console ?? [], redraw);
    set('items-done', `${stats.items_done} / ${stats.items_total}`, stats.items_done);
    set('virtual-time', formatSeconds(stats.virtual_time_us / 1e6, lang), stats.virtual_time_us);
    // A rate over no elapsed time is undefined: the engine says null, the page says why.
    const rate = stats.throughput_per_s;
    const undefinedRate = rate === null || rate === undefined;
    set('throughput', undefinedRate ? '—' : formatRate(rate, lang), rate ?? '');
    set(
      'throughput-note',
      undefinedRate
        ? t(lang, stats.status === 'running' ? 'rateUndefined' : 'rateUndefinedEnded')
        : '',
    );
    const best = stats.theoretical_per_s;
    // A finite run above the long-run bound is chance, not a broken law: say so where it shows.
    const above = !undefinedRate && best !== null && best !== undefined && rate > best;
    set(
      'theoretical',
      best === null || best === undefined
        ? ''
        : `${t(lang, 'bestThroughput')}: ${formatRate(best, lang)}${above ? ` ${t(lang, 'boundExceeded')}` : ''}`,
      best ?? '',
    );
    const bound = this.$('theoretical');
    if (bound) bound.title = best === null || best === undefined ? '' : t(lang, 'boundTitle');
    const lat = stats.latency ?? {};
    set(
      'latency',
      lat.count
        ? [lat.p50_us, lat.p95_us, lat.p99_us].map((v) => formatDuration(v, lang)).join(' / ')
        : '–',
      lat.p50_us ?? 0,
    );
    // Without a done queue (P2-P4) an item is done when get() takes it: its latency is its wait
    // in the queue, not the work after (which Little's W in the stage table includes).
    const noDone = this.scenario && (this.scenario.done_queue ?? null) === null;
    set('latency-note', noDone && lat.count ? t(lang, 'latencyAtGet') : '', noDone ? 1 : 0);
    set(
      'polls',
      `${formatNumber(stats.polls, 0)} (${formatNumber(stats.wasted_polls, 0)})`,
      stats.polls,
    );
    set('wasted-cpu', formatDuration(stats.wasted_cpu_us, lang), stats.wasted_cpu_us);
    const budget = stats.memory_budget_bytes;
    set(
      'memory',
      budget
        ? `${formatBytes(stats.memory_bytes)} / ${formatBytes(budget)} (${t(lang, 'memoryPeak', { bytes: formatBytes(stats.peak_memory_bytes ?? 0) })})`
        : '–',
      stats.memory_bytes,
    );
    // The done queue's share, named: what a bounded pipeline that keeps its results grows.
    const doneQueue = this.scenario?.done_queue;
    const done = doneQueue === null || doneQueue === undefined ? null : stats.queues?.[doneQueue];
    set(
      'memory-note',
      budget && done?.bytes
        ? t(lang, 'memoryDoneShare', { queue: done.name, bytes: formatBytes(done.bytes) })
        : '',
      done?.bytes ?? 0,
    );
    this.renderStatus(stats, lang, phase);
    this.renderStages(stats, lang, bottleneck);
    this.renderQueues(stats, lang);
    this.rosterStats = stats;
    this.renderRoster();
  }

  /**
   * What the canvas's tooltips say, as a list that a keyboard can reach and a screen reader can
   * read: each thread (state, line, code) and each queue (kind, maxsize, length). Written only
   * while the list is open.
   */
  renderRoster() {
    const stats = this.rosterStats;
    const list = this.rosterList;
    if (!stats || !list || !this.roster.open) return;
    const lang = this.lang;
    const source = sourceIn(this.scenario, lang);
    const rows = [];
    for (const th of stats.threads ?? []) {
      const state = STATES.indexOf(th.state);
      let text = t(lang, 'rosterThread', { name: th.name, state: t(lang, `state.${state}`) });
      let code = '';
      if (th.line) {
        text += ` · ${t(lang, 'rosterLine', { line: th.line })}`;
        code = source[th.line - 1]?.trim() ?? '';
      }
      rows.push({ text, code });
    }
    (stats.queues ?? []).forEach((q, i) => {
      const kind = queueKind(this.scenario?.queues?.[i]?.kind, q.maxsize);
      const len = t(lang, 'rosterQueueItems', { n: formatNumber(q.len, 0) });
      rows.push({ text: t(lang, 'rosterQueue', { name: q.name, kind, len }), code: '' });
    });
    while (list.children.length > rows.length) list.lastElementChild.remove();
    rows.forEach(({ text, code }, i) => {
      let li = list.children[i];
      if (!li) {
        li = this.doc.createElement('li');
        li.tabIndex = 0;
        li.append(this.doc.createElement('span'), this.doc.createElement('code'));
        list.append(li);
      }
      const [span, codeEl] = li.children;
      if (span.textContent !== text) span.textContent = text;
      if (codeEl.textContent !== code) codeEl.textContent = code ? ` ${code}` : '';
    });
  }

  renderStages(stats, lang, bottleneck) {
    const rows = this.$('stages-body').rows;
    const secs = stats.virtual_time_us / 1e6;
    for (const tr of rows) {
      const s = Number(tr.dataset.stage);
      const st = stats.stages[s];
      if (!st) continue;
      tr.classList.toggle('bottleneck', bottleneck === s);
      tr.querySelector('th').dataset.badge = t(lang, 'bottleneck');
      const cell = (k) => tr.querySelector(`[data-k="${k}"]`);
      // A stage whose work a plain thread does (P4's consumer, F2, F4) has no worker threads:
      // no count and no utilization to show, rather than "0" and "0%" beside a busy thread.
      const none = st.workers === 0;
      cell('workers').textContent = none ? '–' : String(st.workers);
      cell('workers').title = none ? t(lang, 'stageNoWorkers') : '';
      cell('workers').dataset.value = String(st.workers);
      const util = Math.max(0, Math.min(1, st.utilization));
      cell('util').querySelector('.bar > span').style.width = `${(util * 100).toFixed(1)}%`;
      cell('util').querySelector('.num').textContent = none ? '–' : `${(util * 100).toFixed(0)}%`;
      cell('util').title = none ? t(lang, 'stageNoWorkers') : '';
      cell('util').dataset.value = String(st.utilization);
      cell('bget').textContent = formatDuration(st.blocked_on_get_us, lang);
      cell('bput').textContent = formatDuration(st.blocked_on_put_us, lang);
      const lw = (st.little_lambda_per_s * st.little_w_us) / 1e6;
      cell('L').textContent = secs > 0 ? st.little_l.toFixed(2) : '–';
      cell('lw').textContent =
        secs > 0
          ? `${formatRate(st.little_lambda_per_s, lang, { items: false })} × ${formatDuration(st.little_w_us, lang)} = ${lw.toFixed(2)}`
          : '–';
    }
  }

  renderQueues(stats, lang) {
    const budget = stats.memory_budget_bytes;
    const rows = this.$('queues-body').rows;
    for (const tr of rows) {
      const q = Number(tr.dataset.queue);
      const qs = stats.queues[q];
      if (!qs) continue;
      const cell = (k) => tr.querySelector(`[data-k="${k}"]`);
      cell('maxsize').textContent = qs.maxsize === 0 ? '∞' : String(qs.maxsize);
      cell('len').textContent = formatNumber(qs.len, 0);
      cell('len').dataset.value = String(qs.len);
      cell('mean').textContent = qs.mean_len.toFixed(1);
      cell('max').textContent = formatNumber(qs.max_len, 0);
      cell('unfinished').textContent = formatNumber(qs.unfinished_tasks, 0);
      // The queue's share of the memory budget (the total is their sum).
      cell('bytes').textContent = budget ? formatBytes(qs.bytes ?? 0) : '–';
      cell('bytes').dataset.value = String(qs.bytes ?? 0);
      cell('bytes').title = budget
        ? t(lang, 'rosterQueueItems', { n: formatNumber(qs.items ?? 0, 0) })
        : '';
    }
  }

  renderStatus(stats, lang, phase) {
    // The engine's word stays in data-status; the visible label follows the language.
    const engineStatus = stats.status;
    const shown =
      engineStatus === 'running' && phase !== 'playing'
        ? phase === 'ended'
          ? 'paused'
          : phase
        : engineStatus;
    this.status.dataset.status = engineStatus;
    markRootLine(this.code, stats.hang);
    const badge = this.doc.createElement('span');
    badge.className = `badge badge-${shown}`;
    badge.textContent = t(lang, `status.${shown}`);
    const parts = [badge];
    const report = stats.hang ?? stats.memory_error;
    if (report?.message) {
      const message = this.doc.createElement('span');
      message.className = 'hang-message';
      if (stats.hang) {
        const head = this.doc.createElement('strong');
        head.textContent = stats.hang.headline;
        message.append(head, this.doc.createElement('br'));
        const chain = chainBlock(this.doc, stats.hang, lang);
        if (chain) message.append(chain);
        const list = this.doc.createElement('ul');
        for (const w of stats.hang.waiting ?? []) {
          const li = this.doc.createElement('li');
          // What it waits on is the engine's sentence (kept apart: .engine-text).
          const on = this.doc.createElement('span');
          on.className = 'engine-text';
          on.textContent = w.on;
          const where = w.line ? ` (${t(lang, 'tipLine', { line: w.line })})` : '';
          li.append(`${w.name} ${t(lang, 'waitsForever')}: `, on, where);
          list.append(li);
        }
        message.append(list);
        // The engine's own sentence repeats the list; its Korean is not yet the page's.
        if (lang === 'en') {
          const raw = this.doc.createElement('span');
          raw.className = 'engine-message';
          raw.textContent = report.message;
          message.append(raw);
        }
      } else {
        message.append(memoryErrorText(stats.memory_error, lang));
        const parts = memoryAccounting(stats.memory_error, lang, this.scenario);
        for (const text of parts) {
          message.append(this.doc.createElement('br'));
          const span = this.doc.createElement('span');
          span.className = 'memory-accounting';
          span.textContent = text;
          message.append(span);
        }
      }
      parts.push(message);
    }
    const key = parts.map((p) => p.textContent).join('|');
    if (this.statusKey !== key) {
      this.statusKey = key;
      this.status.replaceChildren(...parts);
    }
  }

  showError(error) {
    const message = error instanceof Error ? error.message : String(error);
    this.error.textContent = message;
    this.error.hidden = false;
  }

  clearError() {
    this.error.textContent = '';
    this.error.hidden = true;
  }

  /**
   * A message that is not an error: a refused change, a bad link value, a copied link. The same
   * message again replaces the one shown (never a pile of copies); a `transient` one (a
   * confirmation) goes by itself after TRANSIENT_MS.
   */
  showNotice(message, { kind = 'info', transient = false } = {}) {
    for (const old of [...this.notice.children]) {
      if (old.dataset.message === message) old.remove();
    }
    const p = this.doc.createElement('p');
    p.className = `notice-${kind}`;
    p.dataset.message = message;
    p.textContent = message;
    const close = this.doc.createElement('button');
    close.type = 'button';
    close.className = 'notice-close';
    close.textContent = '×';
    close.setAttribute('aria-label', t(this.lang, 'dismiss'));
    close.addEventListener('click', () => {
      p.remove();
      if (!this.notice.childElementCount) this.notice.hidden = true;
    });
    p.append(close);
    this.notice.append(p);
    while (this.notice.childElementCount > 3) this.notice.firstElementChild.remove();
    this.notice.hidden = false;
    if (transient) {
      setTimeout(() => {
        if (!p.isConnected) return;
        p.remove();
        if (!this.notice.childElementCount) this.notice.hidden = true;
      }, TRANSIENT_MS);
    }
  }

  clearNotices() {
    this.notice.replaceChildren();
    this.notice.hidden = true;
  }
}

/**
 * A MemoryError's accounting for people: each queue's bytes added up to the error's total (the
 * engine's sum, so the parts always add up), and when the done queue holds the most, why.
 */
export function memoryAccounting(report, lang, scenario) {
  const queues = report?.queues ?? [];
  if (!queues.length) return [];
  const counted = queues.filter((q) => q.bytes > 0);
  const parts = counted.map((q) => `${q.name} ${formatBytes(q.bytes)}`).join(' + ');
  const lines = [t(lang, 'memoryErrorParts', { parts, total: formatBytes(report.bytes) })];
  const doneIndex = scenario?.done_queue;
  const done = doneIndex === null || doneIndex === undefined ? null : queues[doneIndex];
  if (done && done.name === report.queue && done.bytes > 0) {
    lines.push(t(lang, 'memoryErrorDone', { queue: done.name }));
  }
  return lines;
}

/** How the Python program made a queue: `Queue(10)`, `ClosableQueue()`, `MyQueue() · deque`. */
export function queueKind(kind, maxsize) {
  if (kind === 'polling') return 'MyQueue() · deque';
  const name = kind === 'closable' ? 'ClosableQueue' : 'Queue';
  return `${name}(${maxsize ? maxsize : ''})`;
}

/** A small Python highlighter: keywords, strings, comments, numbers. */
function highlight(doc, text) {
  const out = [];
  const re = /(#.*$)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_]\w*)/g;
  let last = 0;
  let m;
  const span = (cls, s) => {
    const el = doc.createElement('span');
    el.className = cls;
    el.textContent = s;
    return el;
  };
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(doc.createTextNode(text.slice(last, m.index)));
    if (m[1]) out.push(span('py-comment', m[1]));
    else if (m[2]) out.push(span('py-string', m[2]));
    else if (m[3]) out.push(span('py-number', m[3]));
    else if (PY_KEYWORDS.has(m[4])) out.push(span('py-keyword', m[4]));
    else out.push(doc.createTextNode(m[4]));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(doc.createTextNode(text.slice(last)));
  if (!out.length) out.push(doc.createTextNode(' '));
  return out;
}

/** The program's source lines as shown in `lang` (the Korean note's `print`s print Korean). */
export function sourceIn(scenario, lang) {
  return (lang === 'ko' && scenario?.source_ko) || scenario?.source || [];
}
