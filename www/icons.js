// Thread states as drawn: an Okabe-Ito colour and a shape each (readable without colour), and the
// item and SENTINEL tokens. It must not know layout, engine or page state.

/** The engine's ThreadState bytes (src/stats.rs), in order. */
export const STATES = [
  'not_started',
  'running',
  'working',
  'blocked_get',
  'blocked_put',
  'polling',
  'sleeping',
  'spinning',
  'joining',
  'ended',
];

export const STATE = Object.fromEntries(STATES.map((name, i) => [name, i]));

/** Okabe-Ito: readable with the common colour-vision deficiencies. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#8a8f94',
};

/** Colour of each state (index = ThreadState byte). */
export const STATE_COLORS = [
  '#c9ccd0', // not started
  OKABE_ITO.blue, // running
  OKABE_ITO.green, // working
  OKABE_ITO.sky, // blocked on get
  OKABE_ITO.vermillion, // blocked on put
  OKABE_ITO.orange, // polling
  '#9aa0a6', // sleeping
  OKABE_ITO.purple, // spinning
  OKABE_ITO.yellow, // joining
  '#b9bdc1', // ended
];

/** A light tint of each state's colour for box backgrounds. */
export const STATE_TINTS = STATE_COLORS.map((c) => tint(c, 0.22));

/** Colours of items and SENTINELs. */
export const ITEM_COLOR = '#1f4e79';
export const SENTINEL_COLOR = '#111111';
export const ALERT_COLOR = OKABE_ITO.vermillion;

function tint(hex, alpha) {
  const n = Number.parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(255 - (255 - c) * alpha);
  return `rgb(${mix((n >> 16) & 255)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

/**
 * Draws the icon of `state` centred at (x, y) with radius r. `spin` (0..1) turns the shapes
 * that move (working, polling, spinning); pass 0 for a still picture.
 */
export function drawStateIcon(ctx, state, x, y, r, spin = 0) {
  const color = STATE_COLORS[state] ?? '#999';
  ctx.save();
  ctx.translate(x, y);
  ctx.lineWidth = Math.max(1.2, r * 0.22);
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  ctx.fillStyle = color;
  ctx.strokeStyle = color;
  switch (state) {
    case STATE.not_started: {
      ctx.setLineDash([r * 0.35, r * 0.3]);
      ctx.strokeStyle = '#7d848b';
      circle(ctx, 0, 0, r * 0.8);
      ctx.stroke();
      break;
    }
    case STATE.running: {
      // ▶ play
      ctx.beginPath();
      ctx.moveTo(-r * 0.55, -r * 0.8);
      ctx.lineTo(r * 0.85, 0);
      ctx.lineTo(-r * 0.55, r * 0.8);
      ctx.closePath();
      ctx.fill();
      break;
    }
    case STATE.working: {
      // a cog: a filled disc with teeth, turning
      ctx.rotate(spin * Math.PI * 2);
      ctx.beginPath();
      const teeth = 8;
      for (let i = 0; i < teeth * 2; i++) {
        const a = (i / (teeth * 2)) * Math.PI * 2;
        const rr = i % 2 === 0 ? r : r * 0.72;
        const a2 = a + Math.PI / (teeth * 2);
        ctx.lineTo(Math.cos(a) * rr, Math.sin(a) * rr);
        ctx.lineTo(Math.cos(a2) * rr, Math.sin(a2) * rr);
      }
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = '#fff';
      circle(ctx, 0, 0, r * 0.3);
      ctx.fill();
      break;
    }
    case STATE.blocked_get: {
      // an empty tray waiting to be filled, with an arrow coming down into it
      ctx.beginPath();
      ctx.moveTo(-r * 0.9, -r * 0.05);
      ctx.lineTo(-r * 0.9, r * 0.8);
      ctx.lineTo(r * 0.9, r * 0.8);
      ctx.lineTo(r * 0.9, -r * 0.05);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(0, -r * 0.95);
      ctx.lineTo(0, r * 0.3);
      ctx.moveTo(-r * 0.38, -r * 0.05);
      ctx.lineTo(0, r * 0.32);
      ctx.lineTo(r * 0.38, -r * 0.05);
      ctx.stroke();
      break;
    }
    case STATE.blocked_put: {
      // a stop sign: an octagon with a white bar
      ctx.beginPath();
      for (let i = 0; i < 8; i++) {
        const a = Math.PI / 8 + (i / 8) * Math.PI * 2;
        ctx.lineTo(Math.cos(a) * r, Math.sin(a) * r);
      }
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillRect(-r * 0.55, -r * 0.16, r * 1.1, r * 0.32);
      break;
    }
    case STATE.polling: {
      // ↻ an arrow going round: try, fail, sleep, try again
      ctx.rotate(spin * Math.PI * 2);
      ctx.beginPath();
      ctx.arc(0, 0, r * 0.72, -Math.PI * 0.1, Math.PI * 1.45);
      ctx.stroke();
      const a = -Math.PI * 0.1;
      const hx = Math.cos(a) * r * 0.72;
      const hy = Math.sin(a) * r * 0.72;
      ctx.beginPath();
      ctx.moveTo(hx - r * 0.42, hy - r * 0.12);
      ctx.lineTo(hx + r * 0.05, hy + r * 0.38);
      ctx.lineTo(hx + r * 0.36, hy - r * 0.3);
      ctx.closePath();
      ctx.fill();
      break;
    }
    case STATE.sleeping: {
      // z z: time.sleep
      ctx.strokeStyle = '#5f666d';
      zig(ctx, -r * 0.85, -r * 0.15, r * 0.85);
      zig(ctx, r * 0.05, -r * 0.9, r * 0.6);
      break;
    }
    case STATE.spinning: {
      // a flame: CPU burnt by a busy-wait
      ctx.rotate(Math.sin(spin * Math.PI * 2) * 0.12);
      ctx.beginPath();
      ctx.moveTo(0, -r);
      ctx.bezierCurveTo(r * 0.9, -r * 0.2, r * 0.85, r * 0.55, 0, r);
      ctx.bezierCurveTo(-r * 0.85, r * 0.55, -r * 0.9, -r * 0.2, -r * 0.15, -r * 0.35);
      ctx.bezierCurveTo(-r * 0.05, -r * 0.1, r * 0.1, -r * 0.5, 0, -r);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.beginPath();
      ctx.ellipse(0, r * 0.45, r * 0.28, r * 0.38, 0, 0, Math.PI * 2);
      ctx.fill();
      break;
    }
    case STATE.joining: {
      // ⋈ two lines that meet: join()
      ctx.strokeStyle = '#6b5d00';
      ctx.fillStyle = OKABE_ITO.yellow;
      circle(ctx, 0, 0, r);
      ctx.fill();
      ctx.beginPath();
      ctx.moveTo(-r * 0.6, -r * 0.5);
      ctx.lineTo(r * 0.6, r * 0.5);
      ctx.lineTo(r * 0.6, -r * 0.5);
      ctx.lineTo(-r * 0.6, r * 0.5);
      ctx.closePath();
      ctx.stroke();
      break;
    }
    case STATE.ended: {
      // ✓ returned
      ctx.strokeStyle = '#6f767d';
      ctx.beginPath();
      ctx.moveTo(-r * 0.7, 0);
      ctx.lineTo(-r * 0.15, r * 0.55);
      ctx.lineTo(r * 0.8, -r * 0.6);
      ctx.stroke();
      break;
    }
    default:
      circle(ctx, 0, 0, r * 0.6);
      ctx.fill();
  }
  ctx.restore();
}

function circle(ctx, x, y, r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

function zig(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + s * 0.8, y);
  ctx.lineTo(x, y + s * 0.8);
  ctx.lineTo(x + s * 0.8, y + s * 0.8);
  ctx.stroke();
}

/** An item token: a filled circle. */
export function drawItem(ctx, x, y, r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
}

/** A SENTINEL token: a black diamond with a white core, unlike any item. */
export function drawSentinel(ctx, x, y, r) {
  const s = r * 1.45;
  ctx.save();
  ctx.fillStyle = SENTINEL_COLOR;
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = Math.max(1, r * 0.35);
  ctx.beginPath();
  ctx.moveTo(x, y - s);
  ctx.lineTo(x + s, y);
  ctx.lineTo(x, y + s);
  ctx.lineTo(x - s, y);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#fff';
  ctx.fillRect(x - s * 0.22, y - s * 0.22, s * 0.44, s * 0.44);
  ctx.restore();
}

/** A data: URL picture of a state's icon, for the legend and the code panel's marks. */
const iconCache = new Map();
export function stateIconUrl(state, size = 16) {
  const key = `${state}:${size}`;
  if (!iconCache.has(key)) {
    const canvas = document.createElement('canvas');
    const scale = 2;
    canvas.width = size * scale;
    canvas.height = size * scale;
    const ctx = canvas.getContext('2d');
    ctx.scale(scale, scale);
    drawStateIcon(ctx, state, size / 2, size / 2, size * 0.4, 0.05);
    iconCache.set(key, canvas.toDataURL());
  }
  return iconCache.get(key);
}

/** A data: URL picture of an item or a SENTINEL token. */
export function tokenIconUrl(kind, size = 16) {
  const key = `token:${kind}:${size}`;
  if (!iconCache.has(key)) {
    const canvas = document.createElement('canvas');
    canvas.width = size * 2;
    canvas.height = size * 2;
    const ctx = canvas.getContext('2d');
    ctx.scale(2, 2);
    if (kind === 'sentinel') drawSentinel(ctx, size / 2, size / 2, size * 0.28);
    else {
      ctx.fillStyle = ITEM_COLOR;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      drawItem(ctx, size / 2, size / 2, size * 0.3);
    }
    iconCache.set(key, canvas.toDataURL());
  }
  return iconCache.get(key);
}
