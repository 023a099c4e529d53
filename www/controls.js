// Controls generated from the parameter table (params.js): labelled sliders with their values.
// Reports changes through callbacks; it must not call the engine or keep page state of its own.

import { DISTRIBUTIONS, PARAMS, SINKS, formatValue, stopsFor } from './params.js';
import { t } from './i18n.js';

/**
 * A range input over the parameter's stops. `onInput(value)` fires while dragging, `onChange(value)`
 * when the value is let go (or set by keys). Returns the row element; row.setValue(v) moves it.
 */
export function slider(
  doc,
  { id, param, label, ariaLabel, value, disabled = false, lang, onInput, onChange },
) {
  const p = PARAMS[param];
  let stops = stopsFor(param, value);
  const row = doc.createElement('div');
  row.className = 'slider';
  row.dataset.param = param;
  const lab = doc.createElement('label');
  lab.htmlFor = id;
  const name = doc.createElement('span');
  name.className = 'slider-name';
  name.textContent = label;
  const out = doc.createElement('output');
  out.id = `${id}-value`;
  out.htmlFor = id;
  lab.append(name, out);
  const input = doc.createElement('input');
  input.type = 'range';
  input.id = id;
  input.min = '0';
  input.step = '1';
  input.disabled = disabled;
  // The visible label may say only "Workers" under a stage's heading; the name says which stage.
  if (ariaLabel) input.setAttribute('aria-label', ariaLabel);
  const show = (v) => {
    const text =
      param === 'rate' && v === 0
        ? t(lang, 'rateAll')
        : param === 'memory' && v === 0
          ? t(lang, 'memoryNone')
          : param === 'rate'
            ? `${v}${t(lang, 'perSecond')}`
            : formatValue(param, v);
    out.textContent = text;
    out.dataset.value = String(v);
    input.setAttribute('aria-valuetext', text);
    input.dataset.value = String(v);
  };
  const setValue = (v) => {
    if (!stops.includes(v)) stops = stopsFor(param, v);
    input.max = String(stops.length - 1);
    input.dataset.stops = stops.join(',');
    input.value = String(Math.max(0, stops.indexOf(v)));
    show(v);
  };
  setValue(value);
  input.addEventListener('input', () => {
    const v = stops[Number(input.value)];
    show(v);
    onInput?.(v);
  });
  input.addEventListener('change', () => onChange?.(stops[Number(input.value)]));
  row.append(lab, input);
  row.setValue = setValue;
  row.input = input;
  void p;
  return row;
}

/**
 * The parameter sliders for the current program. `model`:
 *   workers: [{stage, name, value}]  live, one per stage that has worker threads
 *   maxsize: [{queue, name, value}]  live, one per bounded-capable queue
 *   builder: the builder's values when the program is the Pipeline builder, else null
 * `on(param, index, value, {final})` reports each change (`final` when let go). `idPrefix` goes
 * before every element id, so that two sets can be on one page (compare mode's sides).
 */
export function renderSliders(container, model, lang, on, { idPrefix = '' } = {}) {
  const doc = container.ownerDocument;
  const groups = [];
  const fieldset = (legend, note, className = '') => {
    const fs = doc.createElement('fieldset');
    fs.className = `slider-group ${className}`;
    const lg = doc.createElement('legend');
    lg.textContent = legend;
    fs.append(lg);
    if (note) {
      const p = doc.createElement('p');
      p.className = 'slider-note';
      p.textContent = note;
      fs.append(p);
    }
    groups.push(fs);
    return fs;
  };
  const add = (fs, param, index, label, value, disabled = false, ariaLabel = null) => {
    const id = `${idPrefix}${PARAMS[param].key}-${index}`;
    fs.append(
      slider(doc, {
        id,
        param,
        label,
        ariaLabel,
        value,
        disabled,
        lang,
        onInput: (v) => on(param, index, v, { final: false }),
        onChange: (v) => on(param, index, v, { final: true }),
      }),
    );
  };

  const b = model.builder;
  if (b) {
    const fs = fieldset(t(lang, 'builder'), null, 'builder');
    add(fs, 'items', 0, t(lang, 'items'), b.items);
    add(fs, 'stages', 0, t(lang, 'stages'), b.stages);
    add(fs, 'rate', 0, t(lang, 'rate'), b.rate);
    add(fs, 'memory', 0, t(lang, 'memoryBudget'), b.memory);
    const distRow = doc.createElement('div');
    distRow.className = 'slider';
    const distLabel = doc.createElement('label');
    distLabel.htmlFor = `${idPrefix}dist`;
    distLabel.textContent = t(lang, 'dist');
    const select = doc.createElement('select');
    select.id = `${idPrefix}dist`;
    for (const d of DISTRIBUTIONS) {
      const key = { exp: 'distExp', uniform: 'distUniform', const: 'distConst' }[d];
      select.add(new Option(t(lang, key), d));
    }
    select.value = b.dist;
    select.addEventListener('change', () => on('dist', 0, select.value, { final: true }));
    distRow.append(distLabel, select);
    fs.append(distRow);
    // The end of the pipeline: keep the finished items in done_queue (the note's program) or
    // count them and let them go (nothing held, nothing counted against the memory budget).
    const sinkRow = doc.createElement('div');
    sinkRow.className = 'slider';
    const sinkLabel = doc.createElement('label');
    sinkLabel.htmlFor = 'sink';
    sinkLabel.textContent = t(lang, 'sink');
    const sink = doc.createElement('select');
    sink.id = 'sink';
    sink.title = t(lang, 'sinkHint');
    for (const s of SINKS)
      sink.add(new Option(t(lang, s === 'count' ? 'sinkCount' : 'sinkKeep'), s));
    sink.value = b.sink ?? SINKS[0];
    sink.addEventListener('change', () => on('sink', 0, sink.value, { final: true }));
    sinkRow.append(sinkLabel, sink);
    fs.append(sinkRow);
    const seedRow = doc.createElement('div');
    seedRow.className = 'slider seed';
    const seedLabel = doc.createElement('label');
    seedLabel.htmlFor = `${idPrefix}seed`;
    seedLabel.textContent = t(lang, 'seed');
    const seed = doc.createElement('input');
    seed.type = 'number';
    seed.id = `${idPrefix}seed`;
    seed.min = String(PARAMS.seed.low);
    seed.max = String(PARAMS.seed.high);
    seed.step = '1';
    seed.value = String(b.seed);
    seed.addEventListener('change', () => {
      const v = Number(seed.value);
      if (Number.isInteger(v) && v >= PARAMS.seed.low && v <= PARAMS.seed.high)
        on('seed', 0, v, { final: true });
      else seed.value = String(b.seed);
    });
    const dice = doc.createElement('button');
    dice.type = 'button';
    dice.id = `${idPrefix}new-seed`;
    dice.innerHTML =
      '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><rect x="1.5" y="1.5" width="13" height="13" rx="3" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="5" cy="5" r="1.3" fill="currentColor"/><circle cx="8" cy="8" r="1.3" fill="currentColor"/><circle cx="11" cy="11" r="1.3" fill="currentColor"/></svg>';
    dice.title = t(lang, 'newSeed');
    dice.setAttribute('aria-label', t(lang, 'newSeed'));
    dice.addEventListener('click', () => {
      const v = Math.floor(Math.random() * 1_000_000);
      seed.value = String(v);
      on('seed', 0, v, { final: true });
    });
    seedRow.append(seedLabel, seed, dice);
    fs.append(seedRow);
    for (let s = 0; s < b.stages; s++) {
      const name = model.workers[s]?.name ?? `stage ${s + 1}`;
      const st = fieldset(name, null, 'stage');
      const of = (what) => t(lang, 'sliderOf', { what: t(lang, what), stage: name });
      add(st, 'workers', s, t(lang, 'workers'), b.workers[s], false, of('workers'));
      add(
        st,
        'maxsize',
        s,
        `${t(lang, 'maxsize')} · ${model.maxsize[s]?.name ?? ''}`,
        b.maxsize[s],
      );
      add(st, 'service', s, t(lang, 'service'), b.service[s], false, of('service'));
    }
  } else {
    if (model.workers.length) {
      const fs = fieldset(t(lang, 'workers'), t(lang, 'live'), 'live');
      model.workers.forEach((w, i) =>
        add(
          fs,
          'workers',
          i,
          w.name,
          w.value,
          w.fixed,
          t(lang, 'sliderOf', { what: t(lang, 'workers'), stage: w.name }),
        ),
      );
      if (model.workers.some((w) => w.fixed)) {
        const p = doc.createElement('p');
        p.className = 'slider-note';
        p.textContent = t(lang, 'workersFixed');
        fs.append(p);
      }
    }
    if (model.maxsize.length) {
      const fs = fieldset(t(lang, 'maxsize'), t(lang, 'live'), 'live');
      model.maxsize.forEach((m, i) =>
        add(fs, 'maxsize', i, m.name, m.value, false, t(lang, 'maxsizeOf', { queue: m.name })),
      );
    }
    const note = doc.createElement('p');
    note.className = 'slider-note builder-hint';
    note.textContent = t(lang, 'builderOnly');
    groups.push(note);
  }
  container.replaceChildren(...groups);
}

/**
 * The sliders' model of a run: one workers slider a stage that has worker threads (`fixed`, with
 * the engine's reason, where the count cannot change); one maxsize slider a queue whose bound
 * can change. The engine's shape says which; each value starts as its `initial`.
 */
export function slidersOf(run) {
  const shape = run.shape;
  const workers = shape.stages
    .filter((stage) => stage.workers > 0)
    .map((stage) => ({
      stage: stage.stage,
      name: stage.name,
      value: stage.workers,
      initial: stage.workers,
      fixed: stage.fixed,
    }));
  const maxsize = shape.queues
    .filter((q) => q.resizable)
    .map((q) => {
      const value = run.scenario.queues[q.index].maxsize ?? 0;
      return { queue: q.index, name: q.name, value, initial: value, kind: q.kind };
    });
  return { workers, maxsize };
}
