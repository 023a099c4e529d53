// Pipeline layout: the engine's shape of a program (groups, queues, columns: src/shape.rs, `run.shape`)
// -> boxes on a left-to-right canvas. Pure functions: it must not draw, call the engine, read
// programs or hold simulation state.

/**
 * `shape` (the engine's, for the scenario's threads) with the threads added while running: each
 * joins its stage's group, as the engine runs it with its stage's program. `threadStages` is the
 * stage of every thread in order (null for none).
 */
export function withThreads(shape, threadStages) {
  const groups = shape.groups.map((g) => ({ ...g, threads: [...g.threads] }));
  const threadGroup = [...shape.threadGroup];
  for (let t = threadGroup.length; t < threadStages.length; t++) {
    const g = shape.stageGroup[threadStages[t]] ?? threadGroup[0];
    groups[g].threads.push(t);
    threadGroup.push(g);
  }
  return { ...shape, groups, threadGroup };
}

/** Widths of a column's kinds, in CSS pixels before scaling. */
const WIDTH = { main: 112, group: 132, queue: 150, done: 118 };
const GAP = 34;
/**
 * The smallest scale of the columns' widths that their type still follows: below it boxes shrink
 * but the text keeps this size, so names no longer fit their boxes.
 */
const MIN_SCALE = 0.7;
const MARGIN = 14;

/**
 * Boxes for `shape` on a canvas of `width` x `height` CSS pixels. `maxsize` is each queue's
 * current bound (it can change while running). Returns {threads, groups, queues, columns, ...}.
 */
export function place(shape, { width, height, maxsize = [], large = false }) {
  const top = large ? 40 : 32; // column titles
  // The lane for back edges and the status banner (room for its second line: www/draw-annotations.js).
  const bottom = large ? 92 : 76;
  const areaTop = top;
  const areaH = Math.max(60, height - top - bottom);

  const { used, baseTotal } = columnsOf(shape);
  const avail = width - MARGIN * 2;
  // Shrink to fit; grow widths a little and spread the rest into the gaps when there is room.
  const scale = Math.min(1.35, avail / baseTotal);
  const widthsTotal = used.reduce((sum, c) => sum + c.baseWidth * scale, 0);
  const gap = used.length > 1 ? Math.min(110, (avail - widthsTotal) / (used.length - 1)) : 0;
  const total = widthsTotal + gap * Math.max(0, used.length - 1);
  let x = MARGIN + (avail - total) / 2;
  for (const c of used) {
    c.x = x;
    c.w = c.baseWidth * scale;
    x += c.w + gap;
  }

  const threads = [];
  const groups = [];
  const queues = [];
  const unit = Math.max(MIN_SCALE, Math.min(1.25, scale)) * (large ? 1.25 : 1);

  for (const c of used) {
    const slotH = areaH / c.nodes.length;
    c.nodes.forEach((node, k) => {
      const y0 = areaTop + slotH * k;
      if (node.type === 'group') {
        const g = shape.groups[node.id];
        const n = Math.max(1, g.threads.length);
        const rowH = Math.max(8, Math.min(46 * unit, (slotH - 8) / n));
        const h = rowH * n;
        const gy = y0 + (slotH - h) / 2;
        groups[node.id] = { x: c.x, y: gy, w: c.w, h, rowH, column: c };
        g.threads.forEach((t, i) => {
          const pad = Math.min(3, rowH * 0.12);
          threads[t] = {
            x: c.x,
            y: gy + i * rowH + pad,
            w: c.w,
            h: rowH - pad * 2,
            group: node.id,
          };
        });
      } else {
        const q = shape.queues[node.id];
        queues[node.id] = q.done
          ? doneBox(c, y0, slotH, unit, shape.memory && shape.memoryCountsDone ? 34 * unit : 0)
          : queueBox(c, y0, slotH, maxsize[node.id] ?? 0, unit, shape.items);
      }
    });
  }
  return {
    width,
    height,
    top,
    areaTop,
    areaH,
    laneY: areaTop + areaH + 8,
    bannerY: height - (large ? 34 : 28),
    unit,
    // Room between columns: a column's title may spill into it, never into the next title.
    gap,
    columns: used,
    threads,
    groups,
    queues,
  };
}

/**
 * The narrowest canvas (CSS px) on which `shape`'s columns keep their labels readable (the
 * columns at MIN_SCALE). A canvas that pans (a phone) is laid out at least this wide.
 */
export function legibleWidth(shape) {
  return Math.ceil(columnsOf(shape).baseTotal * MIN_SCALE + MARGIN * 2);
}

/** The used columns by rank, each with its kind and base width, and their total with the gaps. */
function columnsOf(shape) {
  // Columns by rank; a column holds every node of that rank.
  const columnCount =
    Math.max(0, ...shape.groupRank, ...shape.queueRank.map((r) => (Number.isFinite(r) ? r : 0))) +
    1;
  const columns = Array.from({ length: columnCount }, (_, r) => ({
    rank: r,
    nodes: [],
    kind: 'group',
  }));
  shape.groups.forEach((g) =>
    columns[shape.groupRank[g.id]].nodes.push({ type: 'group', id: g.id }),
  );
  shape.queues.forEach((q) =>
    columns[shape.queueRank[q.index]].nodes.push({ type: 'queue', id: q.index }),
  );
  const used = columns.filter((c) => c.nodes.length > 0);
  for (const c of used) {
    const kinds = c.nodes.map((n) =>
      n.type === 'queue'
        ? shape.queues[n.id].done
          ? 'done'
          : 'queue'
        : shape.groups[n.id].kind === 'main'
          ? 'main'
          : 'group',
    );
    c.kind = kinds.includes('queue') ? 'queue' : kinds.includes('group') ? 'group' : kinds[0];
    c.baseWidth = WIDTH[c.kind];
  }
  const baseTotal =
    used.reduce((sum, c) => sum + c.baseWidth, 0) + GAP * Math.max(0, used.length - 1);
  return { used, baseTotal };
}

/** A queue: a grid of slots filled from the bottom right (the head, next to its readers). */
function queueBox(c, y0, slotH, maxsize, unit, items) {
  const pad = 8 * unit;
  const innerW = c.w - pad * 2;
  const labelH = 60 * unit; // below the grid: count, kind, unfinished tasks, gauge
  const maxGridH = Math.max(30, slotH - labelH - 26);
  let cell = 15 * unit;
  if (maxsize > 0 && maxsize <= 6) cell = Math.min(30 * unit, innerW / maxsize);
  const cols = Math.max(1, Math.floor(innerW / cell));
  // An unbounded queue is as tall as the program's items could make it (P2's one item: 2 rows).
  const rowsMax = Math.max(
    1,
    Math.min(Math.floor(maxGridH / cell), Math.max(2, Math.ceil((items || 1e9) / cols))),
  );
  const visible = maxsize > 0 ? Math.min(maxsize, cols * rowsMax) : cols * rowsMax;
  const rows = maxsize > 0 ? Math.max(1, Math.ceil(visible / cols)) : rowsMax;
  const gridW = Math.min(cols, maxsize > 0 ? Math.max(1, visible) : cols) * cell;
  const gridH = rows * cell;
  const h = gridH + pad * 2;
  const y = y0 + (slotH - h - labelH) / 2;
  return withSlots({
    x: c.x,
    y,
    w: c.w,
    h,
    gridX: c.x + c.w - pad - gridW,
    gridY: y + pad,
    gridW,
    gridH,
    cell,
    cols: Math.min(cols, Math.max(1, visible)),
    rows,
    visible,
    bounded: maxsize > 0,
    maxsize,
    labelY: y + h + 4,
    labelH,
  });
}

/** The done end: a tray that counts finished items, with `below` kept free under it (its memory). */
function doneBox(c, y0, slotH, unit, below) {
  const pad = 8 * unit;
  const h = Math.min(slotH - 20, 170 * unit, Math.max(60 * unit, slotH - 20 - 2 * below));
  const y = y0 + (slotH - h) / 2;
  const cell = 7 * unit;
  const cols = Math.max(1, Math.floor((c.w - pad * 2) / cell));
  const rows = Math.max(1, Math.floor((h - 58 * unit) / cell));
  return withSlots({
    x: c.x,
    y,
    w: c.w,
    h,
    done: true,
    cell,
    cols,
    rows,
    visible: cols * rows,
    gridX: c.x + pad,
    gridY: y + 40 * unit,
  });
}

/** Adds `slots`: the centres of the visible slots as x, y pairs (drawn every frame, made once). */
function withSlots(box) {
  box.slots = new Float32Array(box.visible * 2);
  for (let i = 0; i < box.visible; i++) {
    const c = slotCenter(box, i);
    box.slots[2 * i] = c.x;
    box.slots[2 * i + 1] = c.y;
  }
  return box;
}

/** Centre of slot `i` of a queue box (i = 0 is the head), or null beyond the visible slots. */
export function slotCenter(box, i) {
  if (i >= box.visible) return null;
  if (box.done) {
    const col = i % box.cols;
    const row = Math.floor(i / box.cols);
    return { x: box.gridX + (col + 0.5) * box.cell, y: box.gridY + (row + 0.5) * box.cell };
  }
  const col = box.cols - 1 - (i % box.cols);
  const row = box.rows - 1 - Math.floor(i / box.cols);
  return { x: box.gridX + (col + 0.5) * box.cell, y: box.gridY + (row + 0.5) * box.cell };
}
