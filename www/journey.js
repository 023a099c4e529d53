// One item's journey: pick an item (a click on its dot, or its number), ring it on the canvas as it
// moves, and list its path from the engine's journey (queue waits, service, blocked on put, latency).

import { t } from './i18n.js';
import './i18n-timeline.js';

/** A duration or instant in µs, to the microsecond, in ms (or s past 10 s). */
export function formatUs(us) {
  if (us >= 1e7) return `${Number((us / 1e6).toFixed(6))} s`;
  return `${Number((us / 1e3).toFixed(3))} ms`;
}

export class JourneyPanel {
  /**
   * `doc`: the page; `ask(item, atUs)`: a Promise of the journey (src/journey.rs) as of `atUs`,
   * or null when no recording can answer yet; `canvas`, `renderer`: the pipeline's canvas and
   * its renderer (hit-testing and the ring); `redraw()`: draw the canvas again.
   */
  constructor(doc, { ask, canvas, renderer, redraw, latency = () => null, notify = () => {} }) {
    this.doc = doc;
    this.notify = notify;
    // The stats panel's latency summary, so that its p50/p95 are the ones quoted here.
    this.latency = latency;
    this.ask = ask;
    this.redraw = redraw;
    this.canvas = canvas;
    this.renderer = renderer;
    const $ = (id) => doc.getElementById(id);
    this.el = {
      root: $('journey'),
      form: $('journey-form'),
      input: $('journey-item'),
      stop: $('journey-stop'),
      summary: $('journey-summary'),
      parts: $('journey-parts'),
      bar: $('journey-bar'),
      table: $('journey-table'),
      rows: $('journey-rows'),
      message: $('journey-message'),
      live: $('journey-live'),
    };
    this.lang = 'en';
    this.item = null; // the followed item's id
    this.run = null;
    this.nowUs = 0;
    this.journey = null; // the last answer shown
    this.asked = null; // {item, atUs} in flight
    this.wantedKey = null; // `${item}@${atUs}` the panel should show
    this.modelOnly = false;
    this.error = null;
    this.missing = false; // the followed number is past the run's items
    this.announced = null; // `${item}:${status}` the live region last said
    this.wire();
  }

  wire() {
    this.el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const n = Number(this.el.input.value);
      if (this.el.input.value.trim() === '' || !Number.isInteger(n) || n < 0) {
        this.showMessage(t(this.lang, 'jr.badNumber'));
        return;
      }
      this.follow(n);
    });
    this.el.stop.addEventListener('click', () => this.follow(null));
    this.canvas.addEventListener('click', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      const id = this.renderer.itemAt(event.clientX - rect.left, event.clientY - rect.top);
      if (id === null) return;
      this.follow(id);
      // The panel may be below the fold: say where the journey went.
      const top = this.el.root?.getBoundingClientRect().top ?? 0;
      if (top > (this.doc.defaultView?.innerHeight ?? Infinity)) {
        this.notify(t(this.lang, 'jr.following', { item: id }));
      }
    });
  }

  /** Follows item `item` (null: none): ringed on the canvas, its journey listed. */
  follow(item) {
    this.item = item;
    this.renderer.followed = item;
    this.renderer.followedDone = false;
    this.redraw?.();
    this.journey = null;
    this.error = null;
    this.wantedKey = null;
    this.el.stop.hidden = item === null;
    if (item !== null) this.el.input.value = String(item);
    this.render();
    this.update();
  }

  /** The page drew `run` at virtual time `us`: asks for the journey there when it changed. */
  show(run, us) {
    const lang = this.doc.documentElement.lang || 'en';
    if (lang !== this.lang) {
      this.lang = lang;
      this.render();
    }
    if (run !== this.run) {
      this.run = run;
      this.journey = null;
      this.error = null;
      this.wantedKey = null;
    }
    this.modelOnly = !run.canSeek;
    this.nowUs = us;
    this.update();
  }

  update() {
    if (this.item === null || !this.run) return;
    if (this.modelOnly) {
      this.render();
      return;
    }
    // A number past the run's items is said in the page's language, without asking.
    const total = this.run.scenario?.items;
    const missing = Number.isInteger(total) && this.item >= total;
    if (missing !== this.missing) {
      this.missing = missing;
      this.render();
    }
    if (missing) return;
    const key = `${this.item}@${this.nowUs}`;
    if (key === this.wantedKey || this.asked) return;
    const asked = { item: this.item, atUs: this.nowUs, run: this.run };
    this.asked = asked;
    Promise.resolve(this.ask(asked.item, asked.atUs))
      .then((answer) => {
        this.asked = null;
        // An answer for another item, time or run is not shown; the next frame asks again.
        if (answer === null || asked.item !== this.item || asked.run !== this.run) return;
        this.wantedKey = `${asked.item}@${asked.atUs}`;
        this.journey = answer.error ? null : answer.journey;
        this.error = answer.error ?? null;
        this.announce();
        const done = this.journey?.status === 'done';
        if (done !== this.renderer.followedDone) {
          this.renderer.followedDone = done;
          this.redraw?.();
        }
        this.render();
        if (asked.atUs !== this.nowUs) this.update();
      })
      .catch((error) => {
        this.asked = null;
        this.error = String(error?.message ?? error);
        this.render();
      });
  }

  /** Says, once, which item is followed and when its state changes (not every frame's times). */
  announce() {
    const j = this.journey;
    const key = j ? `${j.item}:${j.status}` : null;
    if (!j || key === this.announced) return;
    this.announced = key;
    this.el.live.textContent = t(this.lang, `jr.status.${j.status}`, {
      item: j.item,
      at: formatUs(j.at_us),
      born: j.born_us === null ? '' : formatUs(j.born_us),
      end: j.end_us === null ? '' : formatUs(j.end_us),
      latency: formatUs(j.latency_us),
    });
  }

  showMessage(text) {
    this.el.message.hidden = !text;
    this.el.message.textContent = text ?? '';
  }

  /** Writes the panel from the last journey, in the page's language. */
  render() {
    const l = this.lang;
    const j = this.journey;
    const { summary, parts, table, rows, bar } = this.el;
    if (this.item === null) {
      this.showMessage(null);
      summary.textContent = t(l, 'jr.none');
      parts.textContent = '';
      table.hidden = true;
      bar.replaceChildren();
      return;
    }
    if (this.modelOnly) {
      this.showMessage(t(l, 'jr.modelOnly'));
      table.hidden = true;
      return;
    }
    if (this.missing) {
      const total = this.run?.scenario?.items ?? 0;
      this.showMessage(
        total > 0
          ? t(l, 'jr.noSuchItem', { item: this.item, last: total - 1 })
          : t(l, 'jr.noItems'),
      );
      summary.textContent = '';
      parts.textContent = '';
      table.hidden = true;
      bar.replaceChildren();
      return;
    }
    if (this.error) {
      this.showMessage(t(l, 'jr.failed', { message: this.error }));
      summary.textContent = '';
      parts.textContent = '';
      table.hidden = true;
      bar.replaceChildren();
      return;
    }
    this.showMessage(null);
    if (!j) {
      summary.textContent = t(l, 'jr.asking', { item: this.item });
      return;
    }
    const vars = {
      item: j.item,
      at: formatUs(j.at_us),
      born: j.born_us === null ? '' : formatUs(j.born_us),
      end: j.end_us === null ? '' : formatUs(j.end_us),
      latency: formatUs(j.latency_us),
    };
    let text = t(l, `jr.status.${j.status}`, vars);
    if (j.p50_us !== null) {
      // The stats panel's figures when they describe the same finished items (its histogram
      // rounds a little), so that the page quotes one p50 and one p95.
      const panel = this.latency();
      const same = panel && panel.count === j.done_items;
      text += ` ${t(l, 'jr.compare', {
        p50: formatUs(same ? panel.p50_us : j.p50_us),
        p95: formatUs(same ? panel.p95_us : j.p95_us),
        n: j.done_items.toLocaleString('en-US'),
      })}`;
      if (j.slower_than !== null) {
        text += ` ${t(l, 'jr.rank', { pct: Math.round(j.slower_than * 100) })}`;
      }
    }
    summary.textContent = text;
    parts.textContent =
      j.status === 'not_made'
        ? ''
        : t(l, 'jr.parts', {
            wait: formatUs(j.wait_us),
            service: formatUs(j.service_us),
            blocked: formatUs(j.blocked_put_us),
            latency: formatUs(j.latency_us),
          });
    this.drawBar(j);
    table.hidden = j.legs.length === 0;
    rows.replaceChildren(
      ...j.legs.map((leg) => {
        const tr = this.doc.createElement('tr');
        const worker =
          leg.got_by_name === null
            ? t(l, 'jr.waiting')
            : leg.stage_name
              ? `${leg.got_by_name} (${leg.stage_name})`
              : leg.got_by_name;
        const cells = [
          `${leg.queue_name} ← ${leg.put_by_name} @ ${formatUs(leg.put_us)}`,
          worker,
          formatUs(leg.wait_us),
          leg.got_by_name === null ? '–' : formatUs(leg.service_us),
          leg.got_by_name === null ? '–' : formatUs(leg.blocked_put_us),
        ];
        const heads = [
          'jr.colQueue',
          'jr.colWorker',
          'jr.colWait',
          'jr.colService',
          'jr.colBlocked',
        ];
        for (const [i, value] of cells.entries()) {
          const td = this.doc.createElement(i === 0 ? 'th' : 'td');
          if (i === 0) td.scope = 'row';
          // A phone hides the header row: each cell says what it is.
          td.dataset.label = t(l, heads[i]);
          td.textContent = value;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  /** A bar of the item's life: each leg's wait, service and blocked time in proportion. */
  drawBar(j) {
    const bar = this.el.bar;
    const total = Math.max(1, j.latency_us);
    const pieces = [];
    for (const leg of j.legs) {
      for (const [kind, us] of [
        ['wait', leg.wait_us],
        ['service', leg.service_us],
        ['blocked', leg.blocked_put_us],
      ]) {
        if (us <= 0) continue;
        const span = this.doc.createElement('span');
        span.className = `journey-piece journey-${kind}`;
        span.style.flexGrow = String(us / total);
        span.title = `${t(this.lang, `jr.${kind}`)} ${formatUs(us)} (${leg.queue_name})`;
        pieces.push(span);
      }
    }
    bar.replaceChildren(...pieces);
  }
}
