// The link: the page state written into the address bar, and the link to this moment (state plus
// where the run is) for copying. It must not read a link (main.js does) nor change the run.

import { t } from './i18n.js';
import { el, panels } from './page.js';
import { app, currentUs, lang } from './state.js';
import { writeState } from './url.js';

/** Where the link's moment comes from: the run, or what main.js hands over (compare mode). */
let momentOf = () => currentMoment();

/** Takes the link's moment from `source()` instead (a moment as url.js writes it, or null). */
export function takeMomentFrom(source) {
  momentOf = source;
}

/** The link to this moment: the state, and where the run is (replayed when opened). */
export function shareUrl() {
  const url = new URL(location.href);
  url.hash = writeState(app.state, momentOf());
  return url.href;
}

export function writeUrl() {
  const hash = writeState(app.state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  el.shareLink.value = shareUrl();
}

export async function copyLink() {
  const link = shareUrl();
  el.shareLink.value = link;
  try {
    await navigator.clipboard.writeText(link);
    panels.showNotice(t(lang(), 'linkCopied'), { transient: true });
  } catch {
    // No clipboard permission: show the link selected, ready to copy.
    el.shareLink.hidden = false;
    el.shareLink.focus();
    el.shareLink.select();
    panels.showNotice(t(lang(), 'linkShown'));
  }
}

/** Where the run is, for a link: {ops, us, paused, controls} (model engine only). */
export function currentMoment() {
  const run = app.run;
  if (!run?.canStepOps) return null;
  // Controls at operation 0 are start-of-run settings, which the link holds as slider values.
  const controls = run.controls().filter((c) => c.ops > 0 && c.ops <= run.ops());
  return { ops: run.ops(), us: currentUs(), paused: app.phase !== 'playing', controls };
}
