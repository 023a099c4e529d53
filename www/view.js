// Panels: writes a Stats snapshot into the page (console, items done, virtual time, status).
// Holds no simulation state; it only remembers how many console lines it has drawn.

import { t } from './i18n.js';

export class View {
  constructor(doc) {
    this.doc = doc;
    this.console = doc.getElementById('console');
    this.itemsDone = doc.getElementById('items-done');
    this.virtualTime = doc.getElementById('virtual-time');
    this.throughput = doc.getElementById('throughput');
    this.status = doc.getElementById('status');
    this.error = doc.getElementById('error');
    this.drawnLines = 0;
  }

  /**
   * Shows `stats` (the engine's Stats object). `phase` is what the page is doing:
   * 'ready' (not started), 'paused', or 'playing'. `redraw` rewrites the whole console
   * (after a language switch the engine re-renders every line).
   */
  render(stats, lang, { phase = 'playing', redraw = false } = {}) {
    this.renderConsole(stats.console ?? [], redraw);
    this.itemsDone.textContent = `${stats.items_done} / ${stats.items_total}`;
    this.virtualTime.textContent = `${formatSeconds(stats.virtual_time_us)} ${t(lang, 'seconds')}`;
    this.throughput.textContent = `${formatNumber(stats.throughput_per_s)} ${t(lang, 'itemsPerSecond')}`;
    this.renderStatus(stats, lang, phase);
  }

  renderConsole(lines, redraw) {
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
      div.className = 'line';
      div.textContent = line;
      fragment.append(div);
    }
    this.console.append(fragment);
    this.drawnLines = lines.length;
    if (nearBottom) this.console.scrollTop = this.console.scrollHeight;
  }

  renderStatus(stats, lang, phase) {
    // The engine's word stays in data-status; the visible label follows the language.
    const engineStatus = stats.status;
    const shown = engineStatus === 'running' && phase !== 'playing' ? phase : engineStatus;
    this.status.dataset.status = engineStatus;
    const badge = this.doc.createElement('span');
    badge.className = `badge badge-${shown}`;
    badge.textContent = t(lang, `status.${shown}`);
    const parts = [badge];
    if (stats.hang?.message) {
      const message = this.doc.createElement('span');
      message.className = 'hang-message';
      message.textContent = stats.hang.message;
      parts.push(message);
    }
    this.status.replaceChildren(...parts);
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
}

function formatSeconds(us) {
  return (Number(us ?? 0) / 1e6).toFixed(3);
}

function formatNumber(value) {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}
