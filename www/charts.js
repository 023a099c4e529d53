// Charts over virtual time with uPlot (queue lengths, throughput vs the capacity bound,
// utilization), each point a Stats figure as the panel shows it; it must not call the engine.

import { MUTED } from './draw-primitives.js';
import { OKABE_ITO } from './icons.js';
import { t } from './i18n.js';

const UPLOT_JS = new URL('../vendor/uplot/uPlot.iife.min.js', import.meta.url);
const UPLOT_CSS = new URL('../vendor/uplot/uPlot.min.css', import.meta.url);
const SERIES_COLORS = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.green,
  OKABE_ITO.purple,
  OKABE_ITO.orange,
  OKABE_ITO.sky,
  '#000000',
];
const MAX_POINTS = 2000;
/**
 * The share of the run so far whose throughput points do not set that chart's y-axis. Items done
 * over the time since t = 0 is large while little time has passed (P4's first item at 0.4 ms is
 * 2,400/s), and an axis scaled to it flattens the rest of the run into the bottom row.
 */
const EARLY_SHARE = 0.2;
/** Early points up to this many times the settled part's top stay on the axis (no marks). */
const EARLY_ROOM = 1.5;

let loading = null;

/** Loads uPlot once (a classic script: it defines globalThis.uPlot). */
export function loadUPlot() {
  if (globalThis.uPlot) return Promise.resolve(globalThis.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = UPLOT_CSS.href;
      document.head.append(link);
      const script = document.createElement('script');
      script.src = UPLOT_JS.href;
      script.onload = () => resolve(globalThis.uPlot);
      script.onerror = () => reject(new Error(`could not load ${UPLOT_JS.pathname}`));
      document.head.append(script);
    });
  }
  return loading;
}

export class Charts {
  constructor(container) {
    this.container = container;
    this.plots = [];
    this.uPlot = null;
    this.lang = 'en';
    this.scenario = null;
    this.reset();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
  }

  async load() {
    this.uPlot = await loadUPlot();
    if (this.scenario) this.build();
  }

  /** New series for `scenario`; forgets the samples. */
  setScenario(scenario, lang) {
    this.scenario = scenario;
    this.lang = lang;
    this.reset();
    if (this.uPlot) this.build();
  }

  setLang(lang) {
    this.lang = lang;
    if (this.uPlot && this.scenario) {
      this.build();
      this.redraw();
    }
  }

  reset() {
    this.x = [];
    this.queueSeries = [];
    this.throughput = [];
    this.best = [];
    this.util = [];
  }

  /** The last point of each series, as the charts hold it (for tests and the numbers check). */
  lastPoint() {
    const n = this.x.length;
    if (!n) return null;
    return {
      timeS: this.x[n - 1],
      queues: this.queueSeries.map((s) => s[n - 1]),
      throughput: this.throughput[n - 1],
      best: this.best[n - 1],
      utilization: this.util.map((s) => s[n - 1]),
    };
  }

  /** Drops samples after virtual time `us` (after stepping back). */
  truncate(us) {
    const secs = us / 1e6;
    let n = this.x.length;
    while (n > 0 && this.x[n - 1] > secs) n--;
    if (n === this.x.length) return;
    this.x.length = n;
    for (const s of this.queueSeries) s.length = n;
    this.throughput.length = n;
    this.best.length = n;
    for (const s of this.util) s.length = n;
    this.redraw();
  }

  /** How many samples the charts hold. */
  get samples() {
    return this.x.length;
  }

  /**
   * Adds a sample from a Stats snapshot (skipped when virtual time has not moved). Every point is
   * the engine's figure with the panel's definition: throughput is items done over the time
   * since t = 0 (none at t = 0), utilization is over the run so far; the page derives none.
   */
  push(stats, { draw = true } = {}) {
    if (!this.scenario) return;
    const secs = stats.virtual_time_us / 1e6;
    if (this.x.length && secs <= this.x[this.x.length - 1]) return;
    const queues = this.chartQueues();
    const stages = stats.stages ?? [];
    this.x.push(secs);
    queues.forEach((q, i) => {
      (this.queueSeries[i] ??= []).push(stats.queues[q]?.len ?? null);
    });
    this.throughput.push(stats.throughput_per_s ?? null);
    this.best.push(stats.theoretical_per_s ?? null);
    stages.forEach((st, s) => {
      (this.util[s] ??= []).push(st.workers > 0 ? st.utilization : null);
    });
    if (this.x.length > MAX_POINTS) this.thin();
    if (draw) this.redraw();
  }

  /** Keeps every other sample when there are too many (long runs stay cheap to draw). */
  thin() {
    const keep = (a) => a.filter((_, i) => i % 2 === 0 || i === a.length - 1);
    this.x = keep(this.x);
    this.queueSeries = this.queueSeries.map(keep);
    this.throughput = keep(this.throughput);
    this.best = keep(this.best);
    this.util = this.util.map(keep);
  }

  chartQueues() {
    const queues = this.scenario.queues ?? [];
    return queues.map((_, i) => i).filter((i) => i !== this.scenario.done_queue);
  }

  build() {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    this.container.replaceChildren();
    const uPlot = this.uPlot;
    const lang = this.lang;
    const queues = this.chartQueues();
    const stages = this.scenario.stages ?? [];
    const width = this.chartWidth();
    const base = (title, series, yRange) => ({
      title,
      width,
      height: 170,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: { x: { time: false }, y: yRange ? { range: yRange } : { auto: true } },
      axes: [
        { label: `${t(lang, 'virtualTime')} (${t(lang, 'seconds')})`, size: 38, labelSize: 16 },
        { size: yAxisWidth },
      ],
      series: [{}, ...series],
    });
    const make = (opts, data) => {
      const wrap = document.createElement('div');
      wrap.className = 'chart';
      this.container.append(wrap);
      const plot = new uPlot(opts, data, wrap);
      this.plots.push(plot);
      return plot;
    };
    const line = (label, i, extra = {}) => ({
      label,
      stroke: SERIES_COLORS[i % SERIES_COLORS.length],
      width: 2,
      points: { show: false },
      ...extra,
    });
    this.queueSeries = queues.map((_, i) => this.queueSeries[i] ?? []);
    this.util = stages.map((_, s) => this.util[s] ?? []);
    make(
      base(
        t(lang, 'chartQueues'),
        queues.map((q, i) => line(this.scenario.queues[q].name, i)),
      ),
      this.queueData(),
    );
    const throughput = base(t(lang, 'chartThroughput'), [
      line(t(lang, 'throughput'), 0),
      line(t(lang, 'bestThroughput'), 1, { dash: [6, 4], width: 1.5 }),
    ]);
    throughput.scales.y = { range: (u) => throughputRange(uPlot, u.data) };
    throughput.hooks = { draw: [(u) => markOffScale(u, t(lang, 'chartEarlyOffScale'))] };
    make(throughput, this.throughputData());
    make(
      base(
        t(lang, 'chartUtilization'),
        stages.map((st, s) => line(st.name, s)),
        [0, 1],
      ),
      this.utilData(),
    );
  }

  queueData() {
    return [this.x, ...this.queueSeries];
  }

  throughputData() {
    return [this.x, this.throughput, this.best];
  }

  utilData() {
    return [this.x, ...this.util];
  }

  redraw() {
    if (this.plots.length !== 3) return;
    this.plots[0].setData(this.queueData());
    this.plots[1].setData(this.throughputData());
    this.plots[2].setData(this.utilData());
  }

  chartWidth() {
    const w = this.container.clientWidth || 900;
    const columns = w > 900 ? 3 : w > 560 ? 2 : 1;
    return Math.max(240, Math.floor((w - 16 * (columns - 1)) / columns));
  }

  resize() {
    if (!this.plots.length) return;
    const width = this.chartWidth();
    for (const p of this.plots) if (p.width !== width) p.setSize({ width, height: 170 });
  }
}

/** Room for the y-axis's longest tick label (P1's throughput reaches 100,000/s). */
function yAxisWidth(u, values) {
  const longest = Math.max(0, ...(values ?? []).map((v) => String(v).length));
  return Math.max(48, Math.ceil(longest * 7.5 + 14));
}

/**
 * The throughput chart's y-axis: from 0 to the capacity bound or the points after the run's first
 * EARLY_SHARE, whichever is higher (with uPlot's headroom), so that the settled part reads; the
 * earlier points too when they fit within EARLY_ROOM of that. `data` is [times, throughput,
 * bound]; earlier points above the axis are drawn clipped and marked.
 */
export function throughputRange(uPlot, [x, throughput, best]) {
  const from = (x[x.length - 1] ?? 0) * EARLY_SHARE;
  let top = 0;
  let early = 0;
  for (let i = 0; i < x.length; i++) {
    if (best[i] != null) top = Math.max(top, best[i]);
    if (throughput[i] == null) continue;
    if (x[i] >= from) top = Math.max(top, throughput[i]);
    else early = Math.max(early, throughput[i]);
  }
  if (early <= top * EARLY_ROOM) top = Math.max(top, early);
  if (!(top > 0)) return [0, 1];
  return uPlot.rangeNum(0, top, 0.1, true);
}

/**
 * Marks the throughput points above the axis (only early ones can be): a small triangle on the
 * plot's top edge where each is, and `note` beside the first, saying why they are so large.
 */
function markOffScale(u, note) {
  const [x, throughput] = u.data;
  const top = u.scales.y.max;
  const ctx = u.ctx;
  const { left, top: y0, width } = u.bbox;
  const dpr = globalThis.devicePixelRatio || 1;
  const s = 4 * dpr;
  let last = -Infinity;
  let marked = false;
  ctx.save();
  ctx.fillStyle = SERIES_COLORS[0];
  for (let i = 0; i < x.length; i++) {
    if (!(throughput[i] > top)) continue;
    const px = u.valToPos(x[i], 'x', true);
    if (px < left || px > left + width) continue;
    marked = true;
    if (px - last < 3 * s) continue;
    last = px;
    ctx.beginPath();
    ctx.moveTo(px, y0 + 1);
    ctx.lineTo(px - s, y0 + 1 + 1.6 * s);
    ctx.lineTo(px + s, y0 + 1 + 1.6 * s);
    ctx.closePath();
    ctx.fill();
  }
  if (marked) {
    ctx.font = `${Math.round(11 * dpr)}px system-ui, sans-serif`;
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const text = `▲ ${note}`;
    // A white halo keeps the note legible where it crosses a line.
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 3 * dpr;
    ctx.lineJoin = 'round';
    const label = (words, px, py) => {
      ctx.strokeText(words, px, py);
      ctx.fillText(words, px, py);
    };
    const beside = last + 2 * s;
    if (ctx.measureText(text).width <= left + width - beside) {
      label(text, beside, y0 + 3 * dpr);
    } else {
      // Too long beside the marks (a narrow chart): under them, in as many lines as it takes.
      let y = y0 + 2 * s + 2 * dpr;
      let line = '';
      for (const word of text.split(' ')) {
        const next = line ? `${line} ${word}` : word;
        if (line && ctx.measureText(next).width > width - 4 * dpr) {
          label(line, left + 2 * dpr, y);
          y += 13 * dpr;
          line = word;
        } else line = next;
      }
      label(line, left + 2 * dpr, y);
    }
  }
  ctx.restore();
}
