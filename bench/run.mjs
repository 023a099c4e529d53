#!/usr/bin/env node
// `npm run bench`: every comparison of the benchmark issue on this machine, in one command,
// written to BENCHMARKS.md. It installs what it needs (bench/setup-python.sh, scripts/setup.sh
// --browser), builds the engines, then measures, interleaving the programs it compares run by
// run (A, then B, then the ratio A/B; five times), so that a ratio never mixes a quiet minute
// with a busy one.
//
//   npm run bench                      full sizes (~10-15 min on 2 cores); writes BENCHMARKS.md
//   npm run bench -- --smoke           tiny sizes (under a minute once built): checks that every
//   BENCH_SMOKE=1 npm run bench        part still runs; writes bench/out/BENCHMARKS.smoke.md
//
// Options: --runs N (default 5; smoke 2), --only model,live,page,scale, --no-setup (skip the
// installers), --no-build (use the binaries and pkg/ builds already there), --out FILE.
// Every measurement also goes to bench/out/bench-<full|smoke>.jsonl.
//
// Comparisons (see the "What the figures mean" line of each table in BENCHMARKS.md):
//   1. model engine (native, benches/model.rs; browser, pkg/st in a Web Worker) against SimPy and
//      Ciw on ARCHITECTURE.md's tandem, plus the simulated throughputs against the exact Markov value,
//      and against the same tandem written out by hand (benches/handwritten.rs);
//   2. live engine against Item 55's queue.Queue programs (P5/P6 shapes, no-op stages), natively
//      (benches/model.rs --engine live) and in the browser (pkg/mt), and against crossbeam-channel
//      and std sync_channel natively (benches/live.rs);
//   3. the page: scripts/bench-page.mjs (frame cost, time to first frame, transferred size);
//   4. scale: the command line at 1M and 10M items, wall time and peak memory (/usr/bin/time).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cell,
  fmtBytes,
  fmtMs,
  fmtPlain,
  fmtRate,
  fmtRatio,
  ratios,
  run,
  runJson,
  summary,
  table,
  target,
} from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const OUT_DIR = join(HERE, 'out');
const PY_DIR = join(HERE, 'python');
const PYTHON = join(HERE, '.venv', 'bin', 'python');

// ---------------------------------------------------------------------------------------------
// Options and sizes

function parseArgs(argv) {
  const o = {
    smoke: ['1', 'true', 'yes'].includes((process.env.BENCH_SMOKE ?? '').toLowerCase()),
    runs: null,
    only: null,
    setup: true,
    build: true,
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--runs') o.runs = Number.parseInt(value(), 10);
    else if (a === '--only') o.only = new Set(value().split(','));
    else if (a === '--no-setup') o.setup = false;
    else if (a === '--no-build') o.build = false;
    else if (a === '--out') o.out = resolve(value());
    else if (a === '-h' || a === '--help') {
      console.log(
        readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 16)
          .join('\n'),
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (o.runs !== null && !(o.runs >= 1)) throw new Error('--runs needs a number >= 1');
  for (const s of o.only ?? []) {
    if (!SECTIONS.includes(s)) throw new Error(`--only takes ${SECTIONS.join(', ')}`);
  }
  return o;
}

const SECTIONS = ['model', 'live', 'page', 'scale'];

const SIZES = {
  full: {
    runs: 5,
    modelItems: 1_000_000, // the model engine, native
    browserItems: 1_000_000, // the model engine in Chromium
    // Each native and browser model run repeats its simulation for at least this long and
    // reports the mean rate: one simulation lasts a fifth of a second, a single sample of this
    // shared machine's speed, which drifts by a third over tens of seconds; SimPy's run lasts
    // about twenty seconds, an average over them.
    modelMinSeconds: 5,
    simpyItems: 1_000_000,
    ciwItems: 100_000,
    queueItems: 100_000, // Item 55's queue.Queue programs and the live engine against them
    liveRsItems: 1_000_000, // benches/live.rs (its own default)
    scaleItems: [1_000_000, 10_000_000],
    agreeTolerance: 0.02, // simulated throughput within 2% of the exact value
  },
  smoke: {
    runs: 2,
    modelItems: 20_000,
    browserItems: 20_000,
    modelMinSeconds: 0.2,
    simpyItems: 5_000,
    ciwItems: 1_000,
    queueItems: 2_000,
    liveRsItems: 20_000,
    scaleItems: [10_000, 100_000],
    agreeTolerance: 0.15, // tiny samples: only a gross disagreement shows
  },
};

// ARCHITECTURE.md's tandem: 3 stages, exponential service means 1.0 / 1.5 / 0.8 ms.
const TANDEM_SERVICE = [
  { dist: 'exp', mean_us: 1000 },
  { dist: 'exp', mean_us: 1500 },
  { dist: 'exp', mean_us: 800 },
];
const TANDEM_CONFIGS = [
  { workers: [1, 1, 1], buffer: 10 },
  { workers: [1, 1, 1], buffer: 1 },
  { workers: [3, 4, 5], buffer: 10 },
  { workers: [3, 4, 5], buffer: 1 },
];
const CIW_ARRIVAL_FACTOR = 1.2; // ciw_tandem.py's default; the Poisson chain uses the same
const QUEUE_SHAPES = [
  { shape: 'p5', workers: [1, 1, 1] },
  { shape: 'p6', workers: [3, 4, 5] },
];
// 0, 1 and 10 as the benchmark issue asks; 1000 is the live engine issue's own pipeline.
const QUEUE_MAXSIZES = [0, 1, 10, 1000];

const TARGETS = {
  modelNative: 100, // model engine >= 100x SimPy natively
  modelBrowser: 50, // >= 50x SimPy in the browser
  liveCrossbeam: 0.5, // live engine >= 0.5x crossbeam natively
  liveBrowserPython: 30, // live engine in the browser >= 30x Python's queue.Queue
  frameP95Ms: 4, // page frame p95 <= 4 ms at 16 workers a stage
};

// ---------------------------------------------------------------------------------------------
// Logging and the raw record

let jsonlPath = null;
const t0 = Date.now();
function log(msg) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}
function record(section, data) {
  appendFileSync(jsonlPath, `${JSON.stringify({ section, ...data })}\n`);
}
const short = (e) =>
  String(e?.message ?? e)
    .split('\n')[0]
    .slice(0, 300);
const wstr = (w) => w.join(',');

// ---------------------------------------------------------------------------------------------
// Setup and builds

async function step(name, cmd, args, { env, logFile } = {}) {
  log(`${name}: ${cmd} ${args.join(' ')}`);
  const r = await run(cmd, args, { cwd: ROOT, env: { ...process.env, ...env } });
  appendFileSync(
    logFile,
    `\n===== ${name}: ${cmd} ${args.join(' ')} (exit ${r.code})\n${r.stdout}${r.stderr}`,
  );
  if (r.code !== 0) {
    const tail = (r.stderr + r.stdout)
      .trim()
      .split('\n')
      .filter((l) => /error|Error|failed/.test(l))
      .slice(0, 2)
      .join(' | ');
    throw new Error(`${name} failed (exit ${r.code}): ${tail || 'see bench/out/build.log'}`);
  }
  return r;
}

async function setup(o, logFile) {
  if (!o.setup) {
    log('setup skipped (--no-setup)');
    return;
  }
  // Not fatal: whatever did install is still measured; the rest shows as "not measured".
  for (const [name, args] of [
    ['python venv (SimPy, Ciw)', ['bench/setup-python.sh']],
    ['node_modules, Rust, wasm-bindgen, Chromium', ['scripts/setup.sh', '--browser']],
  ]) {
    await step(name, 'bash', args, { logFile }).catch((e) => log(`warning: ${short(e)}`));
  }
}

/** The newest executable target/release/deps/<name>-<hash>, for --no-build. */
function newestBenchExe(name) {
  const dir = join(ROOT, 'target', 'release', 'deps');
  if (!existsSync(dir)) return null;
  const found = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-`) && !f.includes('.'))
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).mode & 0o111)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return found[0] ?? null;
}

async function cargoBenchExe(name, logFile) {
  const r = await step(
    `cargo bench --bench ${name}`,
    'cargo',
    ['bench', '--bench', name, '--no-run', '--message-format=json-render-diagnostics'],
    { logFile },
  );
  let exe = null;
  let cli = null;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line);
    if (m.reason !== 'compiler-artifact' || !m.executable) continue;
    if (m.target?.kind?.includes('bench') && m.target.name === name) exe = m.executable;
    if (m.target?.kind?.includes('bin') && m.target.name === 'pipeline-lab') cli = m.executable;
  }
  if (!exe) throw new Error(`cargo bench --bench ${name}: no executable reported`);
  return { exe, cli };
}

/** Builds what the sections need. Each piece that fails is reported, not fatal. */
async function build(o, logFile) {
  const b = {
    modelExe: null,
    liveExe: null,
    handwrittenExe: null,
    cli: null,
    st: null,
    mt: null,
    errors: {},
  };
  const cliPath = join(ROOT, 'target', 'release', 'pipeline-lab');
  if (!o.build) {
    log('builds skipped (--no-build): using what target/ and pkg/ hold');
    b.modelExe = newestBenchExe('model');
    b.liveExe = newestBenchExe('live');
    b.handwrittenExe = newestBenchExe('handwritten');
    b.cli = existsSync(cliPath) ? cliPath : null;
    if (!b.modelExe)
      b.errors.model = 'no model bench binary in target/release/deps (build without --no-build)';
    if (!b.liveExe)
      b.errors.live = 'no live bench binary in target/release/deps (build without --no-build)';
    if (!b.handwrittenExe)
      b.errors.handwritten =
        'no handwritten bench binary in target/release/deps (build without --no-build)';
    if (!b.cli) b.errors.cli = 'no target/release/pipeline-lab (build without --no-build)';
  } else {
    try {
      const r = await cargoBenchExe('model', logFile);
      b.modelExe = r.exe;
      b.cli = r.cli ?? (existsSync(cliPath) ? cliPath : null);
    } catch (e) {
      b.errors.model = short(e);
    }
    if (!b.cli) {
      try {
        await step(
          'cargo build --release',
          'cargo',
          ['build', '--release', '--bin', 'pipeline-lab'],
          { logFile },
        );
        b.cli = cliPath;
      } catch (e) {
        b.errors.cli = short(e);
      }
    }
    try {
      b.liveExe = (await cargoBenchExe('live', logFile)).exe;
    } catch (e) {
      b.errors.live = short(e);
    }
    try {
      b.handwrittenExe = (await cargoBenchExe('handwritten', logFile)).exe;
    } catch (e) {
      b.errors.handwritten = short(e);
    }
    try {
      await step('wasm (pkg/st)', 'bash', ['scripts/build-wasm.sh'], { logFile });
    } catch (e) {
      b.errors.st = short(e);
    }
    try {
      await step('threaded wasm (pkg/mt)', 'bash', ['scripts/build-wasm-mt.sh'], { logFile });
    } catch (e) {
      b.errors.mt = short(e);
    }
    try {
      await step(
        'crossbeam baseline wasm (pkg/mt-baseline)',
        'bash',
        ['scripts/build-wasm-mt.sh'],
        {
          logFile,
          env: { MT_FEATURES: 'baseline', MT_OUT: 'pkg/mt-baseline' },
        },
      );
    } catch (e) {
      b.errors.baseline = short(e);
    }
  }
  const wasmSize = (dir) => {
    const p = join(ROOT, 'pkg', dir, 'pipeline_lab_bg.wasm');
    return existsSync(p) ? statSync(p).size : null;
  };
  b.st = wasmSize('st');
  b.mt = wasmSize('mt');
  if (!b.st) b.errors.st ??= 'pkg/st is missing';
  if (!b.mt) b.errors.mt ??= 'pkg/mt is missing';
  return b;
}

// ---------------------------------------------------------------------------------------------
// Machine and versions

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** Share of all CPU time that was busy over `ms` (from /proc/stat): other programs at work. */
async function cpuBusy(ms = 2000) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : NaN;
}

function machine() {
  const lscpu = sh('lscpu', []) ?? '';
  const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const memKb = /^MemTotal:\s*(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  const pyVersions = sh(PYTHON, [
    '-c',
    'import platform, simpy, ciw; print(platform.python_version(), simpy.__version__, ciw.__version__)',
  ]);
  const [python, simpy, ciw] = pyVersions?.split(' ') ?? [];
  const chromium = sh('/usr/bin/chromium', ['--version']);
  let playwright = null;
  try {
    playwright = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'playwright-core', 'package.json'), 'utf8'),
    ).version;
  } catch {
    playwright = null;
  }
  const head = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = (sh('git', ['status', '--porcelain']) ?? '').length > 0;
  return {
    nproc: Number(sh('nproc', [])) || cpus().length,
    cpu: model,
    memory_bytes: memKb ? Number(memKb) * 1024 : totalmem(),
    kernel: sh('uname', ['-sr']),
    rustc: sh('rustc', ['--version']),
    python,
    simpy,
    ciw,
    chromium: chromium?.split('\n').find((l) => /Chromium/.test(l)) ?? null,
    node: process.version,
    playwright_core: playwright,
    wasm_bindgen: sh('wasm-bindgen', ['--version']),
    git: head ? `${head}${dirty ? ' (with uncommitted changes)' : ''}` : null,
    loadavg_start: loadavg(),
  };
}

// ---------------------------------------------------------------------------------------------
// The exact Markov-chain throughput (bench/python/tandem_theory.py), cached by its inputs

async function theory(workers, buffer, source) {
  const cachePath = join(OUT_DIR, 'theory-cache.json');
  const code = ['tandem_theory.py', 'common.py']
    .map((f) => readFileSync(join(PY_DIR, f), 'utf8'))
    .join('\n');
  const key = createHash('sha256')
    .update(`${code}\n${wstr(workers)}|${buffer}|${source}|${CIW_ARRIVAL_FACTOR}`)
    .digest('hex');
  let cache = {};
  try {
    cache = JSON.parse(readFileSync(cachePath, 'utf8'));
  } catch {
    cache = {};
  }
  if (cache[key]) return cache[key];
  const args = [
    'tandem_theory.py',
    '--workers',
    wstr(workers),
    '--buffer',
    String(buffer),
    '--source',
    source,
  ];
  if (source === 'poisson') args.push('--arrival-factor', String(CIW_ARRIVAL_FACTOR));
  const [line] = await runJson(PYTHON, args, { cwd: PY_DIR });
  cache[key] = line.sim_throughput_per_s;
  writeFileSync(cachePath, JSON.stringify(cache, null, 1));
  return cache[key];
}

// ---------------------------------------------------------------------------------------------
// Section 1: the model engine against SimPy and Ciw

/** Calls `fn` unless `tool` already failed once; a failure is remembered and not retried. */
async function attempt(errors, tool, fn) {
  if (errors[tool]) return null;
  try {
    return await fn();
  } catch (e) {
    errors[tool] = short(e);
    log(`  ${tool}: ${errors[tool]}`);
    return null;
  }
}

/** The tandem as the page's builder takes it (PipelineSpec, src/scenario/builder.rs). */
function tandemSpec(cfg, items, seed) {
  return {
    workers: cfg.workers,
    maxsize: cfg.workers.map(() => cfg.buffer),
    service: TANDEM_SERVICE,
    items,
    arrival: { kind: 'all_at_once' },
    seed,
  };
}

async function sectionModel(ctx) {
  const { size, builds, browser } = ctx;
  const errors = {};
  if (builds.errors.model) errors.native = `not measured: ${builds.errors.model}`;
  if (ctx.browserError) errors.browser = `not measured: ${ctx.browserError}`;
  else if (builds.errors.st) errors.browser = `not measured: ${builds.errors.st}`;
  // Warm-up, not recorded: the first calls into a fresh wasm module run before the browser's
  // optimising compiler has caught up; without this the first browser run of a table reads low.
  if (!errors.browser) {
    const warm = await browser
      .model({ ...tandemSpec(TANDEM_CONFIGS[0], 50_000, 1) })
      .catch((e) => ({ ok: false, error: short(e) }));
    if (!warm.ok) log(`browser warm-up failed: ${warm.error}`);
  }
  const rows = [];
  for (const cfg of TANDEM_CONFIGS) {
    const label = `w=${wstr(cfg.workers)} k=${cfg.buffer}`;
    const row = {
      ...cfg,
      label,
      native: [],
      browser: [],
      simpy: [],
      ciw: [],
      simNative: [],
      nsPerOpNative: [],
      nsPerOpBrowser: [],
      opsPerItem: null,
      simBrowser: [],
      simSimpy: [],
      simCiw: [],
    };
    row.exactSaturated = await attempt(errors, 'theory', () =>
      theory(cfg.workers, cfg.buffer, 'saturated'),
    );
    row.exactPoisson = await attempt(errors, 'theory', () =>
      theory(cfg.workers, cfg.buffer, 'poisson'),
    );
    for (let runNo = 1; runNo <= size.runs; runNo++) {
      const seed = runNo; // every tool runs the same seed in the same run
      const common = [
        '--workers',
        wstr(cfg.workers),
        '--buffer',
        String(cfg.buffer),
        '--seed',
        String(seed),
      ];
      const native = await attempt(errors, 'native', async () => {
        const [r] = await runJson(builds.modelExe, [
          ...common,
          '--items',
          String(size.modelItems),
          '--min-seconds',
          String(size.modelMinSeconds),
          '--json',
        ]);
        return r;
      });
      const inBrowser = await attempt(errors, 'browser', async () => {
        const r = await browser.model(
          tandemSpec(cfg, size.browserItems, seed),
          size.modelMinSeconds,
        );
        if (!r.ok) throw new Error(r.error);
        if (r.items_done !== size.browserItems)
          throw new Error(`${r.items_done} of ${size.browserItems} items done (${r.status})`);
        return { ...r, items_per_wall_s: size.browserItems / r.wall_s };
      });
      const simpy = await attempt(errors, 'simpy', async () => {
        const [r] = await runJson(
          PYTHON,
          ['simpy_tandem.py', ...common, '--items', String(size.simpyItems)],
          { cwd: PY_DIR },
        );
        return r;
      });
      const ciw = await attempt(errors, 'ciw', async () => {
        const [r] = await runJson(
          PYTHON,
          [
            'ciw_tandem.py',
            ...common,
            '--items',
            String(size.ciwItems),
            '--arrival-factor',
            String(CIW_ARRIVAL_FACTOR),
          ],
          { cwd: PY_DIR },
        );
        return r;
      });
      const v = (r, k) => r?.[k] ?? NaN;
      row.native.push(v(native, 'items_per_wall_s'));
      row.browser.push(v(inBrowser, 'items_per_wall_s'));
      row.simpy.push(v(simpy, 'items_per_wall_s'));
      row.ciw.push(v(ciw, 'items_per_wall_s'));
      row.simNative.push(v(native, 'sim_throughput_per_s'));
      row.simBrowser.push(v(inBrowser, 'sim_throughput_per_s'));
      row.simSimpy.push(v(simpy, 'sim_throughput_per_s'));
      row.simCiw.push(v(ciw, 'sim_throughput_per_s'));
      // The model engine's operations (get, work, put, task_done, ... of every thread).
      if (native?.events) {
        row.opsPerItem = native.events / size.modelItems;
        row.nsPerOpNative.push((1e9 * native.wall_s) / native.events);
      }
      if (inBrowser?.events) row.nsPerOpBrowser.push((1e9 * inBrowser.wall_s) / inBrowser.events);
      record('model', { config: label, run: runNo, seed, native, browser: inBrowser, simpy, ciw });
      log(
        `model ${label} run ${runNo}: native ${fmtRate(row.native.at(-1))}/s, browser ${fmtRate(row.browser.at(-1))}/s, ` +
          `SimPy ${fmtRate(row.simpy.at(-1))}/s, Ciw ${fmtRate(row.ciw.at(-1))}/s; native/SimPy ` +
          `${fmtRatio(row.native.at(-1) / row.simpy.at(-1))}, browser/SimPy ${fmtRatio(row.browser.at(-1) / row.simpy.at(-1))}`,
      );
    }
    row.rNativeSimpy = ratios(row.native, row.simpy);
    row.rBrowserSimpy = ratios(row.browser, row.simpy);
    row.rNativeCiw = ratios(row.native, row.ciw);
    row.rBrowserNative = ratios(row.browser, row.native);
    rows.push(row);
  }
  // The engine against the same tandems written out by hand (benches/handwritten.rs), which
  // interleaves its own runs and fails unless all of them end at the engine's virtual time.
  if (builds.errors.handwritten) errors.handwritten = `not measured: ${builds.errors.handwritten}`;
  const handwritten =
    (await attempt(errors, 'handwritten', async () => {
      log('model engine against the hand-written tandem (benches/handwritten.rs)');
      const lines = await runJson(builds.handwrittenExe, [
        '--items',
        String(size.modelItems),
        '--runs',
        String(size.runs),
        '--json',
      ]);
      for (const r of lines) record('model-handwritten', r);
      return lines;
    })) ?? [];
  return { rows, errors, handwritten };
}

// ---------------------------------------------------------------------------------------------
// Section 2: the live engine against Item 55's queue.Queue programs and native channels

/** Item 55's shapes with no-op stages, as a PipelineSpec. */
function liveSpec(workers, maxsize, items) {
  return {
    workers,
    maxsize: workers.map(() => maxsize),
    service: workers.map(() => ({ dist: 'const', us: 0 })),
    items,
    arrival: { kind: 'all_at_once' },
    seed: 1,
  };
}

async function sectionLive(ctx) {
  const { size, builds, browser } = ctx;
  const errors = {};
  if (builds.errors.model) errors.native = `not measured: ${builds.errors.model}`;
  if (builds.errors.baseline) errors.baseline = `not measured: ${builds.errors.baseline}`;
  let liveInfo = { available: false, reason: ctx.browserError ?? builds.errors.mt ?? 'no browser' };
  if (browser && !builds.errors.mt) {
    liveInfo = await browser.liveInfo().catch((e) => ({ available: false, reason: short(e) }));
  }
  if (!liveInfo.available) errors.browser = `not measured: ${liveInfo.reason}`;
  else if (liveInfo.className !== 'LiveLab') {
    errors.dryRun = `DRY RUN: the "live browser" column ran pkg/mt's ${liveInfo.className} (BENCH_LIVE_CLASS), not the live engine`;
  }
  if (liveInfo.available) {
    log(
      `live browser: pool of ${liveInfo.poolSize} threads started in ${fmtMs(1000 * liveInfo.poolStartS)}`,
    );
    const warm = await browser
      .live(liveSpec([3, 4, 5], 10, 10_000))
      .catch((e) => ({ ok: false, error: short(e) }));
    if (!warm.ok) log(`live browser warm-up failed: ${warm.error}`);
    const warmBase = await browser
      .baseline(liveSpec([3, 4, 5], 1000, 10_000))
      .catch((e) => ({ ok: false, error: short(e) }));
    if (!warmBase.ok) log(`crossbeam-in-the-browser warm-up failed: ${warmBase.error}`);
  }
  const rows = [];
  for (const { shape, workers } of QUEUE_SHAPES) {
    for (const maxsize of QUEUE_MAXSIZES) {
      const label = `${shape.toUpperCase()} (${wstr(workers)}) maxsize=${maxsize}`;
      const row = { shape, workers, maxsize, label, python: [], native: [], browser: [] };
      // The issue's own pipeline also runs over crossbeam-channel in the same browser
      // (pkg/mt-baseline): how fast the platform lets a plain channel pipeline go.
      const isIssue = shape === 'p6' && maxsize === 1000 && wstr(workers) === '3,4,5';
      if (isIssue) row.baseline = [];
      for (let runNo = 1; runNo <= size.runs; runNo++) {
        const python = await attempt(errors, 'python', async () => {
          const [r] = await runJson(
            PYTHON,
            [
              'item55_queue.py',
              '--shape',
              shape,
              '--maxsize',
              String(maxsize),
              '--items',
              String(size.queueItems),
            ],
            { cwd: PY_DIR },
          );
          return r;
        });
        const native = await attempt(errors, 'native', async () => {
          const [r] = await runJson(builds.modelExe, [
            '--engine',
            'live',
            '--workers',
            wstr(workers),
            '--maxsize',
            String(maxsize),
            '--service',
            'none',
            '--items',
            String(size.queueItems),
            '--json',
          ]);
          return r;
        });
        const inBrowser = await attempt(errors, 'browser', async () => {
          const r = await browser.live(liveSpec(workers, maxsize, size.queueItems));
          if (!r.ok) throw new Error(r.error);
          if (r.items_done !== size.queueItems)
            throw new Error(`${r.items_done} of ${size.queueItems} items done (${r.status})`);
          return { ...r, items_per_wall_s: size.queueItems / r.wall_s };
        });
        if (isIssue && liveInfo.available) {
          const base = await attempt(errors, 'baseline', async () => {
            const r = await browser.baseline(liveSpec(workers, maxsize, size.queueItems));
            if (!r.ok) throw new Error(r.error);
            return { ...r, items_per_wall_s: size.queueItems / r.wall_s };
          });
          row.baseline.push(base?.items_per_wall_s ?? NaN);
          record('live-baseline', { config: label, run: runNo, baseline: base });
          log(`crossbeam in the browser ${label} run ${runNo}: ${fmtRate(row.baseline.at(-1))}/s`);
        }
        row.python.push(python?.items_per_wall_s ?? NaN);
        row.native.push(native?.items_per_wall_s ?? NaN);
        row.browser.push(inBrowser?.items_per_wall_s ?? NaN);
        record('live', { config: label, run: runNo, python, native, browser: inBrowser });
        log(
          `live ${label} run ${runNo}: Python ${fmtRate(row.python.at(-1))}/s, live native ${fmtRate(row.native.at(-1))}/s, ` +
            `live browser ${fmtRate(row.browser.at(-1))}/s`,
        );
      }
      row.rNativePython = ratios(row.native, row.python);
      row.rBrowserPython = ratios(row.browser, row.python);
      if (row.baseline?.length) {
        row.rBaselinePython = ratios(row.baseline, row.python);
        row.rBrowserBaseline = ratios(row.browser, row.baseline);
      }
      rows.push(row);
    }
  }

  // benches/live.rs interleaves live / crossbeam / sync_channel itself, run by run.
  const channels = { runs: [], error: null, header: null };
  if (builds.errors.live || !builds.liveExe) {
    channels.error = `not measured: ${builds.errors.live ?? 'no live bench binary'}`;
  } else {
    log(`live.rs: ITEMS=${size.liveRsItems} RUNS=${size.runs}`);
    try {
      const r = await run(builds.liveExe, [], {
        cwd: ROOT,
        env: { ...process.env, ITEMS: String(size.liveRsItems), RUNS: String(size.runs) },
      });
      if (r.code !== 0)
        throw new Error(
          `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`,
        );
      channels.header = r.stdout.split('\n')[0].trim();
      const re =
        /^run (\d+): live ([\d.]+) M\/s, crossbeam ([\d.]+) M\/s, sync_channel ([\d.]+) M\/s/;
      for (const line of r.stdout.split('\n')) {
        const m = re.exec(line.trim());
        if (m)
          channels.runs.push({
            run: +m[1],
            live: m[2] * 1e6,
            crossbeam: m[3] * 1e6,
            sync_channel: m[4] * 1e6,
          });
      }
      if (channels.runs.length === 0)
        throw new Error(`no "run N: live ... M/s" lines in its output: ${r.stdout.slice(0, 200)}`);
      record('live-channels', { header: channels.header, runs: channels.runs, stdout: r.stdout });
      for (const c of channels.runs) {
        log(
          `live.rs run ${c.run}: live ${fmtRate(c.live)}/s, crossbeam ${fmtRate(c.crossbeam)}/s, sync_channel ${fmtRate(c.sync_channel)}/s`,
        );
      }
    } catch (e) {
      channels.error = `not measured: benches/live.rs: ${short(e)}`;
    }
  }
  return { rows, errors, liveInfo, channels };
}

// ---------------------------------------------------------------------------------------------
// Section 3: the page (scripts/bench-page.mjs, written alongside the new page)

// 16 first: it is the target's count, and what the script measured before it took --workers.
const PAGE_WORKERS = [16, 1, 32];

/**
 * scripts/bench-page.mjs once per run for 1, 16 and 32 workers a stage (`--workers N`). Its
 * output names the workers it measured (config.workers_per_stage); a count it does not honour is
 * reported as not measured and not asked for again.
 */
async function sectionPage(ctx) {
  const script = join(ROOT, 'scripts', 'bench-page.mjs');
  if (!existsSync(script))
    return {
      error: 'not measured: scripts/bench-page.mjs does not exist yet (written with the new page)',
    };
  const count = ctx.smoke ? 1 : ctx.size.runs;
  const frames = ctx.smoke ? ['--frames', '60'] : [];
  const byWorkers = new Map(PAGE_WORKERS.map((w) => [w, { workers: w, runs: [], error: null }]));
  for (let runNo = 1; runNo <= count; runNo++) {
    for (const entry of byWorkers.values()) {
      if (entry.error) continue;
      const args = [script, '--only', 'page', '--workers', String(entry.workers), ...frames];
      log(
        `page: node scripts/bench-page.mjs --workers ${entry.workers} ${frames.join(' ')} (run ${runNo} of ${count})`,
      );
      try {
        // One retry: the script drives the whole page, whose start can time out on a busy machine.
        const lines = await runJson('node', args, { cwd: ROOT, timeoutMs: 10 * 60_000 }).catch(
          (e) => {
            log(`  failed (${short(e)}); once more`);
            return runJson('node', args, { cwd: ROOT, timeoutMs: 10 * 60_000 });
          },
        );
        const r = lines.at(-1);
        const measured = r.config?.workers_per_stage;
        if (measured !== undefined && measured !== entry.workers) {
          // The option is not honoured: no count other than the one it measures can be had.
          for (const other of byWorkers.values()) {
            if (other.workers !== measured && other.runs.length === 0) {
              other.error = `not measured: bench-page.mjs measures ${measured} workers a stage only (asked for ${other.workers}; it takes no --workers option yet)`;
            }
          }
          log(`  ${entry.error}`);
          continue;
        }
        entry.runs.push(r);
        record('page', { run: runNo, workers: entry.workers, result: r });
        const core = r.step_frame_draw;
        if (core)
          log(
            `  step+frame+draw median ${core.median_ms} ms, p95 ${core.p95_ms} ms; first frame ${r.first_frame_ms} ms`,
          );
      } catch (e) {
        entry.error = `not measured: scripts/bench-page.mjs: ${short(e)}`;
        log(`  ${entry.error}`);
      }
    }
  }
  const entries = [...byWorkers.values()];
  if (entries.every((e) => e.runs.length === 0))
    return { error: entries.map((e) => e.error).find(Boolean) };
  return { entries };
}

// ---------------------------------------------------------------------------------------------
// Section 4: scale (the command line, wall time and peak memory)

async function sectionScale(ctx) {
  const { size, builds } = ctx;
  if (!builds.cli)
    return { error: `not measured: ${builds.errors.cli ?? 'no command line binary'}` };
  if (!existsSync('/usr/bin/time'))
    return { error: 'not measured: /usr/bin/time is missing (apt-get install time)' };
  const points = size.scaleItems.map((items) => ({ items, wallMs: [], rate: [], rss: [] }));
  for (let runNo = 1; runNo <= size.runs; runNo++) {
    for (const p of points) {
      const args = [
        '-f',
        '%M',
        builds.cli,
        'run',
        '--workers',
        '3,4,5',
        '--maxsize',
        '10',
        '--service',
        'exp:1ms,exp:1.5ms,exp:0.8ms',
        '--items',
        String(p.items),
        '--seed',
        String(runNo),
        '--quiet',
      ];
      const r = await run('/usr/bin/time', args, { cwd: ROOT });
      const done = r.stdout.includes(`${p.items}/${p.items} items done`);
      if (r.code !== 0 || !done) {
        return {
          error: `not measured: pipeline-lab run --items ${p.items}: exit ${r.code}, ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`,
        };
      }
      const kb = Number(r.stderr.trim().split('\n').at(-1));
      p.wallMs.push(r.wallMs);
      p.rate.push(p.items / (r.wallMs / 1000));
      p.rss.push(kb * 1024);
      record('scale', { run: runNo, items: p.items, wall_ms: r.wallMs, peak_rss_bytes: kb * 1024 });
      log(`scale ${p.items} items run ${runNo}: ${fmtMs(r.wallMs)}, peak ${fmtBytes(kb * 1024)}`);
    }
  }
  const [small, big] = [points[0], points.at(-1)];
  return {
    points,
    rssRatio: ratios(big.rss, small.rss),
    wallRatio: ratios(big.wallMs, small.wallMs),
  };
}

// ---------------------------------------------------------------------------------------------
// The report

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

function report(ctx, results) {
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
        '"native" is the release build (benches/model.rs); "browser" is the ' +
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
        '**What the figures mean:** benches/handwritten.rs runs each tandem as a hand-written loop with the ' +
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
        '(Python: `thread.start()` … `thread.join()`; live native: `Live::new` … `wait()`, benches/model.rs ' +
        '`--engine live`; live browser: `LiveLab.fromPipeline` … `step()` reports the end, polled every ' +
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
        `- Against the project's anchor for that Python program (60–90k items/s), ${fmtRate(issueRate)} items/s is ` +
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
      '**What the figures mean:** benches/live.rs: 3 stages of 3/4/5 threads, bounded 1000, no-op stages, ' +
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
      '**What the figures mean:** scripts/bench-page.mjs opens the page (index.html) in headless Chromium on a ' +
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
function updateReadme(headline) {
  const path = join(ROOT, 'README.md');
  const text = readFileSync(path, 'utf8');
  const re = /(<!-- bench:headline[^>]*-->\n)[\s\S]*?(<!-- \/bench:headline -->)/;
  if (!re.test(text)) {
    log('README.md has no bench:headline markers: headline not written');
    return;
  }
  const date = new Date().toISOString().slice(0, 10);
  const body = `${headline.join('\n')}\n- (measured ${date}; details and machine in BENCHMARKS.md)\n`;
  writeFileSync(
    path,
    text.replace(re, (_, open, close) => `${open}${body}${close}`),
  );
  log('README.md: headline figures updated');
}

// ---------------------------------------------------------------------------------------------

const la = (v) => v.map((x) => x.toFixed(2)).join(' / ');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  // cargo, wasm-bindgen: where rustup puts them, as the scripts/ do.
  process.env.PATH = `${process.env.HOME}/.cargo/bin:${process.env.PATH}`;
  const mode = o.smoke ? 'smoke' : 'full';
  const size = { ...SIZES[mode], runs: o.runs ?? SIZES[mode].runs };
  const want = (s) => !o.only || o.only.has(s);
  mkdirSync(OUT_DIR, { recursive: true });
  jsonlPath = join(OUT_DIR, `bench-${mode}.jsonl`);
  writeFileSync(jsonlPath, '');
  const logFile = join(OUT_DIR, 'build.log');
  writeFileSync(logFile, '');
  const outPath =
    o.out ?? (o.smoke ? join(OUT_DIR, 'BENCHMARKS.smoke.md') : join(ROOT, 'BENCHMARKS.md'));
  if (!o.smoke && size.runs < 5) log(`warning: ${size.runs} runs; the issue asks for at least 5`);
  log(
    `${mode} mode, ${size.runs} runs; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  await setup(o, logFile);
  const builds = await build(o, logFile);
  for (const [k, v] of Object.entries(builds.errors)) log(`build ${k}: ${v}`);
  const env = machine();
  env.cpu_busy_before = await cpuBusy();
  record('env', env);
  log(
    `CPU busy before measuring (other programs): ${(100 * env.cpu_busy_before).toFixed(0)}%; load average ${la(env.loadavg_start)}`,
  );
  if (env.cpu_busy_before > 0.15)
    log('warning: the machine is not quiet; figures will be noisy and low');

  const ctx = { size, smoke: o.smoke, builds, env, browser: null, browserError: null };
  if (want('model') || want('live')) {
    try {
      const { openBench } = await import('./browser.mjs');
      ctx.browser = await openBench();
      log(`Chromium up: crossOriginIsolated=${ctx.browser.env.crossOriginIsolated}`);
    } catch (e) {
      ctx.browserError = `headless Chromium did not start: ${short(e)}`;
      log(ctx.browserError);
    }
  }
  const results = {};
  try {
    if (want('model')) results.model = await sectionModel(ctx);
    if (want('live')) results.live = await sectionLive(ctx);
  } finally {
    if (ctx.browser) await ctx.browser.close();
  }
  if (want('page')) results.page = await sectionPage(ctx);
  if (want('scale')) results.scale = await sectionScale(ctx);
  env.loadavg_end = loadavg();

  const { markdown, targets, headline } = report(ctx, results);
  writeFileSync(outPath, markdown);
  if (!o.smoke && !o.only && !o.out) updateReadme(headline);
  log(
    `wrote ${relative(process.cwd(), outPath) || outPath} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  // The console summary: the targets and the simulated-throughput check.
  console.log(`\nTargets${o.smoke ? ' (smoke sizes: no verdict)' : ''}:`);
  for (const t of targets) console.log(`  ${t.status.padEnd(12)} ${t.what}: ${t.figure}`);
  if (results.model) {
    console.log('\nSimulated throughput, items per simulated second (median over runs):');
    console.log(
      `  ${'tandem'.padEnd(12)}${'exact sat.'.padStart(12)}${'model'.padStart(10)}${'browser'.padStart(10)}${'SimPy'.padStart(10)}${'exact Poi.'.padStart(12)}${'Ciw'.padStart(10)}`,
    );
    const f = (v) => (summary(v)?.median ?? NaN).toFixed(1).padStart(10);
    for (const r of results.model.rows) {
      console.log(
        `  ${r.label.padEnd(12)}${(r.exactSaturated ?? NaN).toFixed(1).padStart(12)}${f(r.simNative)}${f(r.simBrowser)}${f(r.simSimpy)}` +
          `${(r.exactPoisson ?? NaN).toFixed(1).padStart(12)}${f(r.simCiw)}`,
      );
    }
  }
  console.log(`\nFull report: ${outPath}`);
}

main().catch((e) => {
  console.error(`bench: ${e?.stack ?? e}`);
  process.exit(1);
});
