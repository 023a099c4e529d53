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
//   1. model engine (native, bench/cargo/model.rs; browser, pkg/st in a Web Worker) against SimPy and
//      Ciw on ARCHITECTURE.md's tandem, plus the simulated throughputs against the exact Markov value,
//      and against the same tandem written out by hand (bench/cargo/handwritten.rs);
//   2. live engine against Item 55's queue.Queue programs (P5/P6 shapes, no-op stages), natively
//      (bench/cargo/model.rs --engine live) and in the browser (pkg/mt), and against crossbeam-channel
//      and std sync_channel natively (bench/cargo/live.rs);
//   3. the page: bench/page.mjs (frame cost, time to first frame, transferred size);
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
  CIW_ARRIVAL_FACTOR,
  la,
  wstr,
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
import { report, updateReadme } from './report.mjs';

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
    liveRsItems: 1_000_000, // bench/cargo/live.rs (its own default)
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
const QUEUE_SHAPES = [
  { shape: 'p5', workers: [1, 1, 1] },
  { shape: 'p6', workers: [3, 4, 5] },
];
// 0, 1 and 10 as the benchmark issue asks; 1000 is the live engine issue's own pipeline.
const QUEUE_MAXSIZES = [0, 1, 10, 1000];

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
  // The engine against the same tandems written out by hand (bench/cargo/handwritten.rs), which
  // interleaves its own runs and fails unless all of them end at the engine's virtual time.
  if (builds.errors.handwritten) errors.handwritten = `not measured: ${builds.errors.handwritten}`;
  const handwritten =
    (await attempt(errors, 'handwritten', async () => {
      log('model engine against the hand-written tandem (bench/cargo/handwritten.rs)');
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
  else if (liveInfo.engine !== 'live') {
    errors.dryRun = `DRY RUN: the "live browser" column ran pkg/mt's ${liveInfo.engine} engine (BENCH_LIVE_ENGINE), not the live engine`;
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

  // bench/cargo/live.rs interleaves live / crossbeam / sync_channel itself, run by run.
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
      channels.error = `not measured: bench/cargo/live.rs: ${short(e)}`;
    }
  }
  return { rows, errors, liveInfo, channels };
}

// ---------------------------------------------------------------------------------------------
// Section 3: the page (bench/page.mjs, written alongside the new page)

// 16 first: it is the target's count, and what the script measured before it took --workers.
const PAGE_WORKERS = [16, 1, 32];

/**
 * bench/page.mjs once per run for 1, 16 and 32 workers a stage (`--workers N`). Its
 * output names the workers it measured (config.workers_per_stage); a count it does not honour is
 * reported as not measured and not asked for again.
 */
async function sectionPage(ctx) {
  const script = join(ROOT, 'bench', 'page.mjs');
  if (!existsSync(script))
    return {
      error: 'not measured: bench/page.mjs does not exist yet (written with the new page)',
    };
  const count = ctx.smoke ? 1 : ctx.size.runs;
  const frames = ctx.smoke ? ['--frames', '60'] : [];
  const byWorkers = new Map(PAGE_WORKERS.map((w) => [w, { workers: w, runs: [], error: null }]));
  for (let runNo = 1; runNo <= count; runNo++) {
    for (const entry of byWorkers.values()) {
      if (entry.error) continue;
      const args = [script, '--only', 'page', '--workers', String(entry.workers), ...frames];
      log(
        `page: node bench/page.mjs --workers ${entry.workers} ${frames.join(' ')} (run ${runNo} of ${count})`,
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
        entry.error = `not measured: bench/page.mjs: ${short(e)}`;
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
  if (!o.smoke && !o.only && !o.out) log(updateReadme(ROOT, headline));
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
