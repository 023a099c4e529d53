// Labels: the canvas's texts and annotations, its screen-reader sentence, the legend, the preset's
// summary and the wording of refusals. It must not change state, step the run or call the engine.

import { chainCanvasLabels } from './hang-chain.js';
import { STATE, STATES, stateIconUrl, tokenIconUrl } from './icons.js';
import { formatBytes, formatDuration, memoryErrorText, pick, t } from './i18n.js';
import { el } from './page.js';
import { BUILDER } from './params.js';
import { app, lang } from './state.js';

/**
 * What the canvas marks from the stats: status, bottleneck, hang, MemoryError, unfinished. `run`
 * is the page's run unless another is given (compare mode's sides).
 */
export function annotationsOf(stats, run = app.run) {
  const queues = run.scenario.queues;
  const memoryQueue = stats.memory_error
    ? queues.findIndex((q) => q.name === stats.memory_error.queue)
    : -1;
  return {
    status: stats.status,
    bottleneck: stats.bottleneck ?? null,
    hang: stats.hang,
    hangThreads: stats.hang ? new Set(stats.hang.waiting.map((w) => w.thread)) : null,
    memoryError: stats.memory_error ? { ...stats.memory_error, queue: memoryQueue } : null,
    unfinished: (stats.queues ?? []).map((q) => q.unfinished_tasks),
    // Each queue's share of the memory budget, as the engine accounts it (SENTINELs left out).
    queueBytes: (stats.queues ?? []).map((q) => q.bytes ?? 0),
    itemsTotal: stats.items_total,
    itemsDone: stats.items_done,
  };
}

/** One sentence a screen reader can read instead of the canvas. */
export function describe(stats) {
  const l = lang();
  const byGroup = new Map();
  for (const th of stats.threads) {
    const key = th.stage === null ? th.name : (stats.stages[th.stage]?.name ?? th.name);
    const state = STATES.indexOf(th.state);
    const counts = byGroup.get(key) ?? new Map();
    counts.set(state, (counts.get(state) ?? 0) + 1);
    byGroup.set(key, counts);
  }
  const groups = [...byGroup].map(
    ([name, counts]) =>
      `${name}: ${[...counts].map(([s, n]) => `${n} ${t(l, `stateShort.${s}`)}`).join(', ')}`,
  );
  const queues = stats.queues.map((q) => `${q.name} ${q.len}${q.maxsize ? `/${q.maxsize}` : ''}`);
  return `${t(l, 'summaryPrefix', { t: (stats.virtual_time_us / 1e6).toFixed(3) })} ${groups.join('; ')}. ${queues.join(', ')}.`;
}

/**
 * The texts the canvas draws (www/renderer.js asks for them by name), in the page's language.
 * `view` holds {shape, run, threadNames, threadStages, stats}: the page's (app) unless another
 * is given (compare mode's sides).
 */
export function canvasLabels(view = app) {
  const l = lang();
  const shape = view.shape;
  const scenario = view.run?.scenario;
  return {
    groupTitle(group) {
      if (group.kind === 'main') return t(l, 'mainThread');
      if (group.kind === 'stage') {
        const live = group.threads.length;
        return live > 1 ? t(l, 'workersCount', { name: group.name, n: live }) : group.name;
      }
      if (group.kind === 'consumer') {
        return group.threads.length === 1
          ? (view.threadNames[group.threads[0]] ?? t(l, 'consumer'))
          : t(l, 'consumer');
      }
      return '';
    },
    queueTitle(queue) {
      return queue.done ? t(l, 'done') : queue.name;
    },
    threadName(i) {
      const name = view.threadNames[i] ?? scenario?.threads[i]?.name ?? `#${i}`;
      // Workers of a stage are numbered under the stage's title: "download-2" reads "#2".
      const stage = scenario?.stages?.[view.threadStages[i]];
      return stage && name.startsWith(`${stage.name}-`)
        ? `#${name.slice(stage.name.length + 1)}`
        : name;
    },
    stateName(s) {
      return t(l, `stateShort.${s}`);
    },
    queueCount(len, max, full) {
      if (!max && len === 1) return t(l, 'queueCountUnboundedOne');
      if (!max) return t(l, 'queueCountUnbounded', { len: len.toLocaleString('en-US') });
      return t(l, full ? 'queueCountFull' : 'queueCount', { len, max });
    },
    memory(used, budget) {
      return t(l, 'memoryOf', { used: formatBytes(used), budget: formatBytes(budget) });
    },
    doneOf(total) {
      return total ? t(l, 'doneOf', { total: total.toLocaleString('en-US') }) : '';
    },
    bottleneck: t(l, 'bottleneck'),
    chain: chainCanvasLabels(l),
    time(us) {
      return t(l, 'time', { t: (us / 1e6).toFixed(3) });
    },
    finishedBanner(us) {
      return t(l, 'finishedBanner', { t: (us / 1e6).toFixed(3) });
    },
    hangBanner(a) {
      return t(l, 'hangBanner', { headline: a.hang?.headline ?? '' });
    },
    memoryBanner(a) {
      // The report as the engine gave it: the annotation's queue is an index for the canvas.
      const report = view.stats?.memory_error ?? a.memoryError;
      return t(l, 'memoryBanner', { message: memoryErrorText(report, l) });
    },
    backEdge(edge, queue) {
      void shape;
      return edge.busyWait
        ? t(l, 'backBusyWait', { queue: queue.name })
        : t(l, 'backGet', { queue: queue.name });
    },
    unfinished(n) {
      return t(l, 'unfinishedTasks', { n });
    },
    queueKind(queue, maxsize) {
      if (queue.kind === 'polling') return 'MyQueue() · deque';
      const name = queue.kind === 'closable' ? 'ClosableQueue' : 'Queue';
      return `${name}(${maxsize ? maxsize : ''})`;
    },
  };
}

/** A run the engine would not start, in the page's language where the engine says why in numbers. */
export function runRefusal(error) {
  if (error?.name !== 'PoolTooSmall') return error;
  const { needed, capacity } = error;
  return t(lang(), 'poolTooSmall', { needed, capacity, workers: capacity - 1 });
}

/**
 * What a refused run falls back to, so that the page never shows one program's canvas under
 * another's name: a program too big for the pool of real threads runs on the model engine; a
 * program the engine does not know gives way to P1. `{change, notice}` (the state to change and
 * the notice naming what was refused), or null when nothing can stand in.
 */
export function refusalFallback(error, state) {
  const l = state.lang;
  const name = (id) =>
    id === BUILDER
      ? t(l, 'builder')
      : pick(app.presets.find((p) => p.id === id)?.title ?? id.toUpperCase(), l);
  const reason = String(runRefusal(error)?.message ?? runRefusal(error));
  if (error?.name === 'PoolTooSmall' && state.engine === 'threads') {
    const program = name(state.preset);
    return {
      change: { engine: 'model' },
      notice: t(l, 'refusedFellBack', {
        what: t(l, 'refusedOnThreads', { program }),
        reason,
        program: t(l, 'refusedOnModel', { program }),
      }),
    };
  }
  if (/no preset/.test(reason) && state.preset !== 'p1') {
    return {
      change: { preset: 'p1' },
      notice: t(l, 'refusedFellBack', { what: state.preset, reason, program: name('p1') }),
    };
  }
  return null;
}

/** The code panel's label for a thread: its stage's name, or its own. */
export function markLabel(i) {
  const stage = app.threadStages[i];
  if (stage !== null && stage !== undefined)
    return app.run?.scenario.stages[stage]?.name ?? app.threadNames[i];
  return app.threadNames[i] ?? `#${i}`;
}

/** The line under the preset picker: the program's summary. */
export function showSummary() {
  const l = lang();
  const preset = app.presets.find((p) => p.id === app.state.preset);
  el.summary.textContent =
    app.state.preset === BUILDER ? t(l, 'builderSummary') : preset ? pick(preset.summary, l) : '';
  showEngineNote();
}

/**
 * While real threads run, what differs from the model and why the figures do: shown with every
 * new run and language (hidden on the model engine, or when no run could start).
 */
export function showEngineNote() {
  const note = document.getElementById('live-note');
  if (!note) return;
  const live = app.run?.engine === 'threads';
  note.hidden = !live;
  document.getElementById('live-note-text').textContent = live
    ? t(lang(), 'liveNote', { step: formatDuration(app.run.capabilities.stepEventUs, lang()) })
    : '';
}

/** The legend under the canvas: tokens and thread states, with their icons. */
export function buildLegend() {
  const l = lang();
  const items = [
    STATE.working,
    STATE.blocked_get,
    STATE.blocked_put,
    STATE.polling,
    STATE.sleeping,
    STATE.spinning,
    STATE.joining,
    STATE.running,
    STATE.not_started,
    STATE.ended,
  ].map((s) => legendItem(stateIconUrl(s, 18), t(l, `state.${s}`)));
  items.unshift(
    legendItem(tokenIconUrl('item', 18), t(l, 'item')),
    legendItem(tokenIconUrl('sentinel', 18), t(l, 'sentinel')),
  );
  el.legend.replaceChildren(...items);
}

function legendItem(src, text) {
  const li = document.createElement('li');
  const img = document.createElement('img');
  img.src = src;
  img.alt = '';
  img.width = 18;
  img.height = 18;
  const span = document.createElement('span');
  span.textContent = text;
  li.append(img, span);
  return li;
}
