// Keyboard control: maps keys (space, arrows, R, digits, +/-, P, L, ?) to named actions.
// It must not act itself or handle keys typed into fields and sliders.

/** The shortcuts as the help overlay lists them: [keys, i18n key of what they do]. */
export const SHORTCUTS = [
  ['Space', 'keySpace'],
  ['→', 'keyRight'],
  ['Shift+→', 'keyShiftRight'],
  ['←', 'keyLeft'],
  ['R', 'keyR'],
  ['1 … 9, 0, B', 'keyDigits'],
  ['− / +', 'keySpeed'],
  ['P', 'keyP'],
  ['L', 'keyL'],
  ['?', 'keyHelp'],
  ['Esc', 'keyEsc'],
];

/** Program picked by a digit key: 1-6 are P1-P6, 7 8 9 0 are F1-F4. */
const DIGIT_PRESETS = {
  1: 'p1',
  2: 'p2',
  3: 'p3',
  4: 'p4',
  5: 'p5',
  6: 'p6',
  7: 'f1',
  8: 'f2',
  9: 'f3',
  0: 'f4',
};

/**
 * Listens on `target` and calls `actions[name](...)`: togglePlay, step, stepInstant, stepBack, reset,
 * preset(id), slower, faster, present, language, help, escape.
 */
export function bindKeys(target, actions) {
  target.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const el = event.target;
    const tag = el?.tagName;
    if (event.key === 'Escape') {
      // Leaving a field or a list gives the keys back (→ steps again, not the next program).
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') el.blur();
      actions.escape?.();
      return;
    }
    // Typing in a field or moving a slider keeps its keys.
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || el?.isContentEditable) return;
    // A focused button takes space and enter itself (its click does the same thing).
    if (tag === 'BUTTON' && (event.key === ' ' || event.key === 'Enter')) return;
    const key = event.key;
    let handled = true;
    if (key === ' ' || key === 'Spacebar') actions.togglePlay();
    else if (key === 'ArrowRight' && event.shiftKey) actions.stepInstant();
    else if (key === 'ArrowRight') actions.step();
    else if (key === 'ArrowLeft') actions.stepBack();
    else if (key === 'r' || key === 'R') actions.reset();
    else if (key in DIGIT_PRESETS) actions.preset(DIGIT_PRESETS[key]);
    else if (key === 'b' || key === 'B') actions.preset('builder');
    else if (key === '-' || key === '_') actions.slower();
    else if (key === '+' || key === '=') actions.faster();
    else if (key === 'p' || key === 'P') actions.present();
    else if (key === 'l' || key === 'L') actions.language();
    else if (key === '?' || key === '/') actions.help();
    else handled = false;
    if (handled) event.preventDefault();
  });
}
