// The benchmark report: turns the measurements of run.mjs into BENCHMARKS.md's tables, the
// verdicts against the bars (TARGETS) and README.md's headline. It measures nothing.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CIW_ARRIVAL_FACTOR,
  TARGETS,
  cell,
  fmtBytes,
  fmtMs,
  fmtPlain,
  fmtRate,
  fmtRatio,
  la,
  ratios,
  summary,
  table,
  target,
  wstr,
} from './lib.mjs';

function lowest(rows, key) {
  let best = null;
  for (const r of rows) {
    const s = summary(r[key]);
    if (s && (!best || s.median < best.value)) best = { value: s.median, label: r.label };
  }
  return best;
}

function agreeCell(values, exact, tol) {
  const s = summary(values);
  if (!s || !Number.isFinite(exact)) return '–';
  const d = s.median / exact - 1;
  return `${d >= 0 ? '+' : ''}${(100 * d).toFixed(2)}%${Math.abs(d) <= tol ? '' : ' (off)'}`;
}

export function report(ctx, results) {
  const { size, smoke, env, builds } = ctx;
  const out = [];
  const targets = [];
  const p = (s = '') => out.push(s);
  const sizeNote = smoke
    ? ' (smoke sizes: these rows check that the script runs; they are no verdict)'
    : '';

  p('# Benchmarks');
  p();
  p(
    `Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC` +
      `${smoke ? ' in SMOKE mode (tiny sizes, not for comparison)' : ''}, ${size.runs} run${size.runs === 1 ? '' : 's'} of each measurement. ` +
      'Every cell is the median with the min–max in brackets. Programs compared in one table ran interleaved ' +
      '(A, then B, then the next run), and each ratio is computed run by run (A₁/B₁ … A₅/B₅) before its median is taken. ' +
      'Raw measurements: bench/out/bench-' +
      (smoke ? 'smoke' : 'full') +
      '.jsonl (not committed).',
  );
  p();
  p('## Machine and versions');
  p();
  p(
    table(
      ['', ''],
      [
        ['CPU', `${env.cpu}, nproc ${env.nproc}`],
        ['memory', fmtBytes(env.memory_bytes)],
        ['kernel', env.kernel ?? '–'],
        ['load average (1/5/15 min) at start', la(env.loadavg_start)],
        ['load average (1/5/15 min) at end', la(env.loadavg_end)],
        [
          'CPU busy just before measuring (other programs)',
          `${(100 * env.cpu_busy_before).toFixed(0)}%`,
        ],
        ['rustc', env.rustc ?? '–'],
        ['Python / SimPy / Ciw', `${env.python ?? '–'} / ${env.simpy ?? '–'} / ${env.ciw ?? '–'}`],
        ['Chromium (headless)', env.chromium ?? '–'],
        ['Node / playwright-core', `${env.node} / ${env.playwright_core ?? '–'}`],
        ['wasm-bindgen', env.wasm_bindgen ?? '–'],
        [
          'wasm size (pkg/st, pkg/mt)',
          `${builds.st ? fmtBytes(builds.st) : '–'}, ${builds.mt ? fmtBytes(builds.mt) : '–'}`,
        ],
        ['source', env.git ?? '–'],
      ],
    ),
  );
  p();

  // ---- 1. model engine
  const m = results.model;
  const sectionBody = [];
  const q = (s = '') => sectionBody.push(s);
  if (m) {
    q('## 1. Model engine against SimPy and Ciw');
    q();
    q(
      `The tandem (ARCHITECTURE.md): 3 stages, exponential service with means 1.0 / 1.5 / 0.8 ms, w workers a stage, ` +
        `buffers of k places, a saturated source (Ciw: open Poisson arrivals at ${CIW_ARRIVAL_FACTOR}× the bottleneck, ` +
        `arrivals that find stage 1 full are lost). Items: model engine ${size.modelItems.toLocaleString('en')} natively ` +
        `and ${size.browserItems.toLocaleString('en')} in the browser, SimPy ${size.simpyItems.toLocaleString('en')}, ` +
        `Ciw ${size.ciwItems.toLocaleString('en')}; run r uses seed r in every program.`,
    );
    q();
    q(
      '**What the figures mean:** items simulated per wall-clock second (items ÷ wall time of the simulation run, ' +
        `set-up excluded; higher is faster). Each native and browser run repeats its simulation (same seed) ` +
        `until ${size.modelMinSeconds} s have passed and gives the mean rate: a single simulation of ` +
        `${size.modelItems.toLocaleString('en')} items lasts a fraction of a second, one sample of this shared ` +
        `machine's drifting speed, where SimPy's run averages over tens of seconds. ` +
        '"native" is the release build (bench/cargo/model.rs); "browser" is the ' +
        'single-threaded wasm build (pkg/st) in a Web Worker of headless Chromium, stepped with `lab.step(1e12)` ' +
        'as the page does (it records item moves for the canvas; `frame()` is called after each step). ' +
        'Ratios are model engine ÷ the other program, run by run.',
    );
    q();
    q(
      `**Targets:** model engine ≥ ${TARGETS.modelNative}× SimPy natively and ≥ ${TARGETS.modelBrowser}× SimPy in the browser.`,
    );
    q();
    const modelNames = {
      native: 'model native',
      browser: 'model browser',
      simpy: 'SimPy',
      ciw: 'Ciw',
      theory: 'exact value',
      handwritten: 'hand-written tandem',
    };
    for (const [k, v] of Object.entries(m.errors)) q(`- ${modelNames[k] ?? k}: ${v}`);
    if (Object.keys(m.errors).length) q();
    q(
      table(
        [
          'tandem',
          'model native',
          'model browser',
          'SimPy',
          'Ciw',
          'native ÷ SimPy',
          'browser ÷ SimPy',
          'native ÷ Ciw',
          'browser ÷ native',
        ],
        m.rows.map((r) => [
          r.label,
          cell(r.native, fmtRate),
          m.errors.browser?.startsWith('not measured') ? 'not measured' : cell(r.browser, fmtRate),
          cell(r.simpy, fmtRate),
          cell(r.ciw, fmtRate),
          cell(r.rNativeSimpy, fmtRatio),
          cell(r.rBrowserSimpy, fmtRatio),
          cell(r.rNativeCiw, fmtRatio),
          cell(r.rBrowserNative, fmtRatio),
        ]),
      ),
    );
    q();
    const ln = lowest(m.rows, 'rNativeSimpy');
    const lb = lowest(m.rows, 'rBrowserSimpy');
    targets.push(
      target(
        `model engine ≥ ${TARGETS.modelNative}× SimPy, natively`,
        ln?.value ?? NaN,
        TARGETS.modelNative,
        {
          where: ln
            ? `(lowest median of the ${m.rows.length} tandems: ${ln.label})`
            : (m.errors.native ?? m.errors.simpy),
        },
      ),
      target(
        `model engine ≥ ${TARGETS.modelBrowser}× SimPy, in the browser`,
        lb?.value ?? NaN,
        TARGETS.modelBrowser,
        {
          where: lb ? `(lowest median: ${lb.label})` : (m.errors.browser ?? m.errors.simpy),
        },
      ),
    );
    for (const t of targets.slice(-2)) q(`- ${t.status}: ${t.what}: ${t.figure}${sizeNote}`);
    q();
    const withOps = m.rows.filter((r) => r.opsPerItem);
    if (withOps.length) {
      q(
        'Where the time goes: the model engine runs the Python program of every thread (get, work, ' +
          'put, task_done, …), so an item costs several operations (Stats.events ÷ items):',
      );
      q();
      const ns = (x) => `${x.toFixed(1)} ns`;
      q(
        table(
          ['tandem', 'operations an item', 'wall time an operation, native', '… in the browser'],
          withOps.map((r) => [
            r.label,
            r.opsPerItem.toFixed(1),
            cell(r.nsPerOpNative, ns),
            cell(r.nsPerOpBrowser, ns),
          ]),
        ),
      );
      q();
    }
    if (m.handwritten?.length) {
      q("### What the engine's generality costs: the same tandem written out by hand");
      q();
      q(
        '**What the figures mean:** bench/cargo/handwritten.rs runs each tandem as a hand-written loop with the ' +
          "engine's exact schedule (FIFO wake-ups, (time, sequence) deadlines in the engine's own calendar, the same random streams), " +
          "interleaved with the engine on the same seeds, and fails unless every run ends at the engine's " +
          'virtual microsecond. "same stats" keeps the engine\'s per-item statistics; "bare" keeps none. ' +
          'Ratios are the hand-written loop ÷ the engine, run by run; higher means the engine pays more for ' +
          'being an interpreter of any scenario. "fast path" is the engine ÷ the same engine with its ' +
          'worker-loop fast path off (every instruction through the interpreter), run by run.',
      );
      q();
      const times = (x) => `${x.toFixed(2)}×`;
      q(
        table(
          ['tandem', 'engine', 'fast path', 'hand-written, same stats', 'hand-written, bare'],
          m.handwritten.map((r) => [
            `w=${wstr(r.workers)} k=${r.buffer}`,
            cell(r.engine_items_per_wall_s, fmtRate),
            r.fast_path_speedup ? cell(r.fast_path_speedup, times) : '–',
            cell(r.same_stats_per_engine, times),
            cell(r.bare_per_engine, times),
          ]),
        ),
      );
      q();
    }
    q('### Do they simulate the same thing? Simulated throughput (items per simulated second)');
    q();
    q(
      '**What the figures mean:** completed items ÷ simulated time, median over the runs (seeds differ by run, so ' +
        'the spread is sampling noise), against the exact long-run value of the continuous-time Markov chain ' +
        '(bench/python/tandem_theory.py). The model engine and SimPy model a saturated source and are compared ' +
        `with that chain; Ciw models Poisson arrivals at ${CIW_ARRIVAL_FACTOR}× the bottleneck with losses and is ` +
        `compared with that chain. "(off)" marks a median more than ${(100 * size.agreeTolerance).toFixed(0)}% from the exact value` +
        `${smoke ? ' (smoke: tiny samples)' : ''}. The browser runs the same code on the same seeds, so its column must equal the native one.`,
    );
    q();
    q(
      table(
        [
          'tandem',
          'exact (saturated)',
          'model native',
          'model browser',
          'SimPy',
          'exact (Poisson)',
          'Ciw',
          'model vs exact',
          'SimPy vs exact',
          'Ciw vs exact',
        ],
        m.rows.map((r) => [
          r.label,
          (r.exactSaturated ?? NaN).toFixed(1),
          cell(r.simNative, (x) => x.toFixed(1)),
          cell(r.simBrowser, (x) => x.toFixed(1)),
          cell(r.simSimpy, (x) => x.toFixed(1)),
          (r.exactPoisson ?? NaN).toFixed(1),
          cell(r.simCiw, (x) => x.toFixed(1)),
          agreeCell(r.simNative, r.exactSaturated, size.agreeTolerance),
          agreeCell(r.simSimpy, r.exactSaturated, size.agreeTolerance),
          agreeCell(r.simCiw, r.exactPoisson, size.agreeTolerance),
        ]),
      ),
    );
    q();
    const mismatch = m.rows.filter(
      (r) =>
        r.simBrowser.some(Number.isFinite) &&
        r.simBrowser.some(
          (x, i) =>
            Number.isFinite(r.simNative[i]) && Math.abs(x - r.simNative[i]) > 1e-6 * r.simNative[i],
        ),
    );
    q(
      mismatch.length
        ? `- The browser's simulated throughput differs from the native one for ${mismatch.map((r) => r.label).join(', ')}: same seed, same code, it should not.`
        : '- The browser and the native build gave identical simulated throughputs run by run (same seeds), as they must.',
    );
    q();
  }

  // ---- 2. live engine
  const l = results.live;
  if (l) {
    q("## 2. Live engine against Item 55's Python programs and native channels");
    q();
    q(
      `Item 55's P5 (1 worker a stage) and P6 (3/4/5 workers) with no-op stages, maxsize 0 (unbounded), 1 and 10 on ` +
        `the three stage queues, ${size.queueItems.toLocaleString('en')} items (bench/python/item55_queue.py: ` +
        "the note's ClosableQueue and StoppableWorker). The live engine runs the same pipeline from the builder " +
        '(P6-shaped program, `const:0` service) on real threads with the clock free-running.',
    );
    q();
    q(
      '**What the figures mean:** items per wall-clock second from starting the threads to the last join ' +
        '(Python: `thread.start()` … `thread.join()`; live native: `Live::new` … `wait()`, bench/cargo/model.rs ' +
        '`--engine live`; live browser: `Lab.fromPipeline(spec, "en", {engine: "live", clock: "free"})` … `step()` reports the end, polled every ' +
        'millisecond from the page, threaded build pkg/mt on the Web Worker pool). Ratios are live ÷ Python, run by run.',
    );
    q();
    q(
      `**Target:** live engine in the browser ≥ ${TARGETS.liveBrowserPython}× Python's queue.Queue.`,
    );
    q();
    const liveNames = {
      python: 'Python',
      native: 'live native',
      browser: 'live browser',
      baseline: 'crossbeam in the browser',
      dryRun: 'note',
    };
    for (const [k, v] of Object.entries(l.errors))
      q(`- ${liveNames[k] ?? k}: ${k === 'browser' ? `TODO ${v}` : v}`);
    if (Object.keys(l.errors).length) q();
    const notMeasured = (errKey, values) =>
      l.errors[errKey]?.startsWith('not measured') ? 'not measured' : cell(values, fmtRate);
    q(
      table(
        [
          'program',
          'Python queue.Queue',
          'live native',
          'live browser',
          'native ÷ Python',
          'browser ÷ Python',
        ],
        l.rows.map((r) => [
          r.label,
          cell(r.python, fmtRate),
          notMeasured('native', r.native),
          notMeasured('browser', r.browser),
          cell(r.rNativePython, fmtRatio),
          l.errors.browser ? 'TODO' : cell(r.rBrowserPython, fmtRatio),
        ]),
      ),
    );
    q();
    // The issue's bar is on its own pipeline: 3/4/5 workers, maxsize 1000.
    const issueRow = l.rows.find(
      (r) => r.shape === 'p6' && r.maxsize === 1000 && wstr(r.workers) === '3,4,5',
    );
    const issueRatio = issueRow ? summary(issueRow.rBrowserPython)?.median : undefined;
    const tLive = target(
      `live engine in the browser ≥ ${TARGETS.liveBrowserPython}× Python queue.Queue`,
      issueRatio ?? NaN,
      TARGETS.liveBrowserPython,
      {
        where: issueRatio
          ? `(the issue's pipeline: ${issueRow.label})`
          : `TODO ${l.errors.browser ?? ''}`.trim(),
      },
    );
    targets.push(tLive);
    q(`- ${tLive.status}: ${tLive.what}: ${tLive.figure}${issueRatio ? sizeNote : ''}`);
    const issueRate = issueRow ? summary(issueRow.browser)?.median : undefined;
    if (issueRate)
      q(
        `- Against the anchor measured for that Python program on these machines (60–90k items/s), ${fmtRate(issueRate)} items/s is ` +
          `${fmtRatio(issueRate / 90_000)}–${fmtRatio(issueRate / 60_000)}.`,
      );
    if (issueRow?.baseline?.length && summary(issueRow.rBaselinePython))
      q(
        `- What the platform allows: the same pipeline over crossbeam-channel in the same browser, on a pool of its ` +
          `own (pkg/mt-baseline, src/web_baseline.rs; no Python semantics: no task_done, join, hang detection or ` +
          `stats), ran at ${cell(issueRow.baseline, fmtRate)} items/s, ${cell(issueRow.rBaselinePython, fmtRatio)} ` +
          `Python run by run; the live engine reached ${cell(issueRow.rBrowserBaseline, fmtRatio)} of it.`,
      );
    else if (l.errors.baseline) q(`- crossbeam in the browser: ${l.errors.baseline}`);
    const lbp = lowest(l.rows, 'rBrowserPython');
    if (lbp)
      q(
        `- The lowest of the ${l.rows.length} programs in the browser: ${fmtRatio(lbp.value)} (${lbp.label}): ` +
          'handing items through queues of 1 or 10 places wakes a parked Web Worker for nearly every item.',
      );
    const lnp = lowest(l.rows, 'rNativePython');
    if (lnp)
      q(
        `- For reference, natively the live engine is at least ${fmtRatio(lnp.value)} Python (lowest median: ${lnp.label}).`,
      );
    q();
    q('### Live engine against crossbeam-channel and std sync_channel (native)');
    q();
    const c = l.channels;
    q(
      '**What the figures mean:** bench/cargo/live.rs: 3 stages of 3/4/5 threads, bounded 1000, no-op stages, ' +
        `SENTINEL shutdown; items per wall-clock second from the first thread start to the last join; the three ` +
        `run one after another inside each run${c.header ? ` (${c.header})` : ''}. Ratios are live ÷ channel, run by run.`,
    );
    q();
    q(`**Target:** live engine ≥ ${TARGETS.liveCrossbeam}× crossbeam-channel natively.`);
    q();
    if (c.error) {
      q(`- ${c.error}`);
      targets.push(
        target(
          `live engine ≥ ${TARGETS.liveCrossbeam}× crossbeam natively`,
          NaN,
          TARGETS.liveCrossbeam,
          { where: c.error },
        ),
      );
    } else {
      const live = c.runs.map((x) => x.live);
      const cb = c.runs.map((x) => x.crossbeam);
      const sc = c.runs.map((x) => x.sync_channel);
      const rcb = ratios(live, cb);
      q(
        table(
          [
            'pipeline',
            'live engine',
            'crossbeam-channel',
            'std sync_channel',
            'live ÷ crossbeam',
            'live ÷ sync_channel',
          ],
          [
            [
              `3/4/5 workers, cap 1000, ${size.liveRsItems.toLocaleString('en')} items`,
              cell(live, fmtRate),
              cell(cb, fmtRate),
              cell(sc, fmtRate),
              cell(rcb, fmtRatio),
              cell(ratios(live, sc), fmtRatio),
            ],
          ],
        ),
      );
      q();
      const t = target(
        `live engine ≥ ${TARGETS.liveCrossbeam}× crossbeam natively`,
        summary(rcb)?.median ?? NaN,
        TARGETS.liveCrossbeam,
        {
          where: '(median of the run-by-run ratios)',
        },
      );
      targets.push(t);
      q(`- ${t.status}: ${t.what}: ${t.figure}${sizeNote}`);
    }
    q();
  }

  // ---- 3. page
  const pg = results.page;
  if (pg) {
    q('## 3. The page');
    q();
    q(
      '**What the figures mean:** bench/page.mjs opens the page (index.html) in headless Chromium on a ' +
        'builder pipeline of 3 stages with 10,000 items put at once, runs it, and times inside the page with ' +
        'performance.now() the work of each animation frame: step (advance the engine) + frame (read its state) + ' +
        'draw (the canvas), over a few hundred frames; "whole frame" adds stats, code marks and charts. Time to ' +
        'first frame is from navigation to the first drawn frame; transferred size is what the page loaded ' +
        '(raw / gzip -9). Cells are medians (min–max) over runs of the script; within a run it reports the median ' +
        'and p95 over its frames.',
    );
    q();
    q(
      `**Target:** frame (step + frame + draw) p95 ≤ ${TARGETS.frameP95Ms} ms at 16 workers a stage.`,
    );
    q();
    const fig = (runs, get, fmt = fmtMs) =>
      cell(
        runs.map((r) => get(r) ?? NaN),
        fmt,
      );
    const p95At16 =
      pg.entries
        ?.find((e) => e.workers === 16)
        ?.runs.map((r) => r.step_frame_draw?.p95_ms ?? NaN) ?? [];
    if (pg.error) {
      q(`- TODO ${pg.error}`);
    } else {
      q(
        table(
          [
            'workers a stage',
            'step+frame+draw median',
            'step+frame+draw p95',
            'max',
            'p95 of step / frame / draw',
            'whole frame p95',
            'items in flight',
          ],
          [...pg.entries]
            .sort((a, b) => a.workers - b.workers)
            .map((e) =>
              e.runs.length === 0
                ? [e.workers, e.error ?? 'not measured', '', '', '', '', '']
                : [
                    e.workers,
                    fig(e.runs, (r) => r.step_frame_draw?.median_ms),
                    fig(e.runs, (r) => r.step_frame_draw?.p95_ms),
                    fig(e.runs, (r) => r.step_frame_draw?.max_ms),
                    ['step', 'frame', 'draw']
                      .map((k) =>
                        fmtMs(
                          summary(e.runs.map((r) => r.parts?.[k]?.p95_ms ?? NaN))?.median ?? NaN,
                        ),
                      )
                      .join(' / '),
                    fig(e.runs, (r) => r.whole_frame_callback?.p95_ms),
                    fig(e.runs, (r) => r.items_in_flight?.at_start, fmtPlain),
                  ],
            ),
        ),
      );
      q();
      const all = pg.entries.flatMap((e) => e.runs);
      q(
        table(
          ['page load', 'value'],
          [
            ['navigation to first drawn frame', fig(all, (r) => r.first_frame_ms)],
            [
              'wasm transferred (raw / gzip)',
              `${fig(all, (r) => r.transfer?.wasm?.raw_bytes, fmtBytes)} / ${fig(all, (r) => r.transfer?.wasm?.gzip_bytes, fmtBytes)}`,
            ],
            [
              'JS transferred (raw / gzip)',
              `${fig(all, (r) => r.transfer?.js?.raw_bytes, fmtBytes)} / ${fig(all, (r) => r.transfer?.js?.gzip_bytes, fmtBytes)}`,
            ],
            [
              'everything loaded (raw / gzip)',
              `${fig(all, (r) => r.transfer?.all?.raw_bytes, fmtBytes)} / ${fig(all, (r) => r.transfer?.all?.gzip_bytes, fmtBytes)}`,
            ],
          ],
        ),
      );
      q();
      const errs = [...new Set(all.flatMap((r) => r.page_errors ?? []))];
      if (errs.length) q(`- Page errors during the measurement: ${errs.join('; ')}`);
    }
    const t = target(
      `page frame p95 ≤ ${TARGETS.frameP95Ms} ms at 16 workers a stage`,
      summary(p95At16)?.median ?? NaN,
      TARGETS.frameP95Ms,
      {
        higherIsBetter: false,
        fmt: fmtMs,
        where: p95At16.length
          ? '(step + frame + draw; median over runs of the per-run p95)'
          : `TODO ${pg.error ?? 'not measured'}`,
      },
    );
    targets.push(t);
    q(`- ${t.status}: ${t.what}: ${t.figure}${p95At16.length ? sizeNote : ''}`);
    q();
  }

  // ---- 4. scale
  const sc = results.scale;
  if (sc) {
    q('## 4. Scale: the model engine at growing run lengths');
    q();
    q(
      '**What the figures mean:** `target/release/pipeline-lab run --workers 3,4,5 --maxsize 10 --service ' +
        'exp:1ms,exp:1.5ms,exp:0.8ms --items N --quiet` as a whole process: wall time (process start to exit), ' +
        'items per wall second, and peak resident memory (`/usr/bin/time -f %M`). The sizes run interleaved. ' +
        'Memory should stay flat as the run grows: the engine keeps no per-item history.',
    );
    q();
    if (sc.error) q(`- ${sc.error}`);
    else {
      q(
        table(
          ['items', 'wall time', 'items / wall s', 'peak memory (RSS)'],
          sc.points.map((pt) => [
            pt.items.toLocaleString('en'),
            cell(pt.wallMs, fmtMs),
            cell(pt.rate, fmtRate),
            cell(pt.rss, fmtBytes),
          ]),
        ),
      );
      q();
      const r = summary(sc.rssRatio);
      const [a, b] = [sc.points[0].items, sc.points.at(-1).items];
      q(
        `- Peak memory at ${b.toLocaleString('en')} items ÷ at ${a.toLocaleString('en')}: ${cell(sc.rssRatio, fmtRatio)} run by run ` +
          `(${r && r.median <= 1.25 ? 'flat' : 'NOT flat'}); wall time grows ${cell(sc.wallRatio, fmtRatio)} for ${fmtRatio(b / a)} the items.`,
      );
    }
    q();
  }

  p('## Targets');
  p();
  p(
    smoke
      ? '_Smoke mode: tiny sizes, so MET / MISSED here says nothing about the engines; it checks that the script gets that far._'
      : 'Each target as the issue states it, against the figure measured above.',
  );
  p();
  p(
    table(
      ['target', 'result', 'figure'],
      targets.map((t) => [t.what, t.status, t.figure]),
    ),
  );
  p();
  out.push(...sectionBody);
  p('## How to reproduce');
  p();
  p('```sh');
  p(
    'npm run bench              # everything, full sizes (~10-15 min on 2 cores); writes BENCHMARKS.md',
  );
  p('npm run bench -- --smoke   # tiny sizes, under a minute once built');
  p('npm run bench -- --only model,scale --runs 7');
  p('```');
  p();
  p(
    'It runs bench/setup-python.sh (SimPy and Ciw pinned in bench/requirements.txt, in bench/.venv) and ' +
      'scripts/setup.sh --browser, builds the benches (`cargo bench --no-run`) and both wasm builds, then measures. ' +
      'Measure on a quiet machine: the load average at start and end is printed above.',
  );
  // README's headline lines: each target with its figure, and the scale check.
  const headline = targets.map((t) => `- ${t.what}: **${t.status}**, ${t.figure}`);
  if (sc && !sc.error) {
    const big = sc.points.at(-1);
    const small = sc.points[0];
    headline.push(
      `- ${big.items.toLocaleString('en')} items on the command line: ${fmtMs(summary(big.wallMs).median)}, ` +
        `peak memory ${fmtBytes(summary(big.rss).median)} (${fmtBytes(summary(small.rss).median)} at ${small.items.toLocaleString('en')})`,
    );
  }
  return { markdown: `${out.join('\n')}\n`, targets, headline };
}

/** Rewrites the lines between README.md's bench:headline markers (a full run of everything only). */
export function updateReadme(root, headline) {
  const path = join(root, 'README.md');
  const text = readFileSync(path, 'utf8');
  const re = /(<!-- bench:headline[^>]*-->\n)[\s\S]*?(<!-- \/bench:headline -->)/;
  if (!re.test(text)) {
    return 'README.md has no bench:headline markers: headline not written';
  }
  const date = new Date().toISOString().slice(0, 10);
  const body = `${headline.join('\n')}\n- (measured ${date}; details and machine in BENCHMARKS.md)\n`;
  writeFileSync(
    path,
    text.replace(re, (_, open, close) => `${open}${body}${close}`),
  );
  return 'README.md: headline figures updated';
}

// ---------------------------------------------------------------------------------------------
