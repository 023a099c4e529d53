// Helpers for bench/run.mjs: running a command and reading its JSON lines, summary statistics
// (median, min, max), number formatting and Markdown tables. No measuring happens here.

import { spawn } from 'node:child_process';

/**
 * Runs `cmd args` and resolves to {code, stdout, stderr, wallMs}. Never rejects on a non-zero
 * exit; rejects only when the command cannot be started or exceeds `timeoutMs`.
 */
export function run(cmd, args, { cwd, env, timeoutMs = 30 * 60_000, echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (echo) process.stderr.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no answer after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ code, stdout, stderr, wallMs });
    });
  });
}

/** Runs a command that must succeed and print JSON lines; resolves to the parsed lines. */
export async function runJson(cmd, args, options) {
  const r = await run(cmd, args, options);
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}: ${tail}`);
  }
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  if (lines.length === 0) throw new Error(`${cmd} ${args.join(' ')} printed no JSON line`);
  return lines;
}

/** Median (mean of the middle two for an even count), min and max of finite numbers. */
export function summary(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** Element-wise a[i] / b[i] where both were measured: ratios computed run by run. */
export function ratios(a, b) {
  const out = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] > 0) out.push(a[i] / b[i]);
  }
  return out;
}

/** Items per second, 3 significant digits: 5.12 M, 84.3 k, 912. */
export function fmtRate(x) {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)} M`;
  if (x >= 1e3) return `${(x / 1e3).toPrecision(3)} k`;
  return x.toPrecision(3);
}

export function fmtRatio(x) {
  if (!Number.isFinite(x)) return '–';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

export function fmtMs(x) {
  if (!Number.isFinite(x)) return '–';
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)} ms`;
}

export function fmtBytes(x) {
  if (!Number.isFinite(x)) return '–';
  if (x >= 2 ** 30) return `${(x / 2 ** 30).toFixed(2)} GiB`;
  if (x >= 2 ** 20) return `${(x / 2 ** 20).toFixed(1)} MiB`;
  if (x >= 2 ** 10) return `${(x / 2 ** 10).toFixed(1)} KiB`;
  return `${x} B`;
}

export function fmtPlain(x) {
  if (!Number.isFinite(x)) return '–';
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/** "median (min–max)" of a list of measurements, or a dash when there are none. */
export function cell(values, fmt) {
  const s = summary(values);
  if (!s) return '–';
  if (s.n === 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** A Markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const esc = (c) =>
    String(c ?? '')
      .replaceAll('|', '\\|')
      .replaceAll('\n', ' ');
  const lines = [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** The stated target against what was measured: {status: MET | MISSED | NOT MEASURED, ...}. */
export function target(
  what,
  value,
  bar,
  { higherIsBetter = true, fmt = fmtRatio, where = '' } = {},
) {
  if (!Number.isFinite(value)) {
    return { what, status: 'NOT MEASURED', figure: where || 'not measured' };
  }
  const met = higherIsBetter ? value >= bar : value <= bar;
  return {
    what,
    status: met ? 'MET' : 'MISSED',
    figure: `${fmt(value)}${where ? ` ${where}` : ''} (bar ${higherIsBetter ? '≥' : '≤'} ${fmt(bar)})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Shared by the measuring (run.mjs) and the report (report.mjs)

/** The bars each verdict is held to. */
export const TARGETS = {
  modelNative: 100, // model engine >= 100x SimPy natively
  modelBrowser: 50, // >= 50x SimPy in the browser
  liveCrossbeam: 0.5, // live engine >= 0.5x crossbeam natively
  liveBrowserPython: 30, // live engine in the browser >= 30x Python's queue.Queue
  frameP95Ms: 4, // page frame p95 <= 4 ms at 16 workers a stage
};

/** ciw_tandem.py's default; the Poisson chain uses the same */
export const CIW_ARRIVAL_FACTOR = 1.2;

/** Workers a stage as text: 3,4,5. */
export const wstr = (w) => w.join(',');

/** Load averages as text. */
export const la = (v) => v.map((x) => x.toFixed(2)).join(' / ');
