// Pipeline layout: scenario JSON (queues, stages, threads) -> boxes on a left-to-right canvas, for
// any program shape. Pure functions: it must not draw, call the engine or hold simulation state.

const READ_OPS = new Set(['get', 'poll_get', 'busy_wait']);
// close() puts a SENTINEL too, but an arrow from main to every queue it closes would cross the
// whole pipeline: SENTINEL tokens show those puts as they happen.
const WRITE_OPS = new Set(['put']);

/**
 * The shape of a scenario: groups of threads (main, a stage's workers, the consumers of a queue),
 * the queues, which group reads or writes which queue, and a column (rank) for each.
 * `threadStages` gives the stage of threads added while running (index beyond the scenario's).
 */
export function analyse(scenario, threadStages = []) {
  const threads = scenario.threads ?? [];
  const queues = scenario.queues ?? [];
  const stages = scenario.stages ?? [];
  const threadCount = Math.max(threads.length, threadStages.length);

  const programOf = (i) => {
    if (i < threads.length) return threads[i].program ?? [];
    const stage = threadStages[i];
    const model = threads.findIndex((t) => t.stage === stage);
    return model >= 0 ? (threads[model].program ?? []) : [];
  };
  const stageOf = (i) =>
    i < threads.length ? (threads[i].stage ?? null) : (threadStages[i] ?? null);
  const touched = (program, opNames) => {
    const found = [];
    for (const op of program) {
      if (opNames.has(op.op) && op.queue !== undefined && !found.includes(op.queue))
        found.push(op.queue);
    }
    return found;
  };
  // Queues read only by a busy-wait (P1's main polling len(done_queue)).
  const busyWaits = new Set();
  const gets = new Set();
  for (let i = 0; i < threadCount; i++) {
    for (const op of programOf(i)) {
      if (op.op === 'busy_wait') busyWaits.add(op.queue);
      else if (op.op === 'get' || op.op === 'poll_get') gets.add(op.queue);
    }
  }
  const worksOn = (program) => {
    const op = program.find((o) => o.op === 'work');
    return op ? op.stage : null;
  };
  const stageHasMembers = stages.map((_, s) => threads.some((t) => t.stage === s));

  const groups = [];
  const groupByKey = new Map();
  const groupFor = (key, make) => {
    if (!groupByKey.has(key)) {
      const group = { id: groups.length, threads: [], reads: [], writes: [], ...make() };
      groups.push(group);
      groupByKey.set(key, group);
    }
    return groupByKey.get(key);
  };
  const addUnique = (list, values) => {
    for (const v of values) if (!list.includes(v)) list.push(v);
  };

  const threadGroup = new Array(threadCount).fill(-1);
  for (let i = 0; i < threadCount; i++) {
    const program = programOf(i);
    const reads = touched(program, READ_OPS);
    const writes = touched(program, WRITE_OPS);
    let stage = stageOf(i);
    if (i > 0 && stage === null) {
      const works = worksOn(program);
      if (works !== null && stages[works] && !stageHasMembers[works]) stage = works;
    }
    let group;
    if (i === 0) group = groupFor('main', () => ({ kind: 'main' }));
    else if (stage !== null && stages[stage]) {
      group = groupFor(`stage:${stage}`, () => ({
        kind: 'stage',
        stage,
        name: stages[stage].name,
      }));
      addUnique(group.reads, [stages[stage].input]);
      if (stages[stage].output !== null && stages[stage].output !== undefined) {
        addUnique(group.writes, [stages[stage].output]);
      }
    } else if (reads.length > 0) {
      group = groupFor(`reads:${reads[0]}`, () => ({ kind: 'consumer', queue: reads[0] }));
    } else {
      group = groupFor('main', () => ({ kind: 'main' }));
    }
    group.threads.push(i);
    addUnique(group.reads, reads);
    addUnique(group.writes, writes);
    threadGroup[i] = group.id;
  }
  // Stages whose functions nobody runs still read their queue, so they get a column of their own.
  stages.forEach((stage, s) => {
    if (!groupByKey.has(`stage:${s}`) && !groups.some((g) => g.kind === 'stage' && g.stage === s)) {
      const group = groupFor(`stage:${s}`, () => ({ kind: 'stage', stage: s, name: stage.name }));
      addUnique(group.reads, [stage.input]);
    }
  });

  // Nodes: groups first, then queues. Edges: group -> queue (put), queue -> group (get).
  const nodeCount = groups.length + queues.length;
  const qNode = (q) => groups.length + q;
  const edges = [];
  for (const g of groups) {
    for (const q of g.writes)
      if (queues[q]) edges.push({ from: g.id, to: qNode(q), kind: 'write', group: g.id, queue: q });
    for (const q of g.reads) {
      if (!queues[q]) continue;
      const busy =
        busyWaits.has(q) &&
        !g.threads.some((t) =>
          programOf(t).some((o) => (o.op === 'get' || o.op === 'poll_get') && o.queue === q),
        );
      edges.push({ from: qNode(q), to: g.id, kind: 'read', group: g.id, queue: q, busyWait: busy });
    }
  }
  const rank = ranks(nodeCount, edges, 0);
  const queueRank = queues.map((_, q) => rank[qNode(q)]);
  const groupRank = groups.map((g) => rank[g.id]);
  // A queue nobody writes sits just left of its readers.
  queues.forEach((_, q) => {
    if (!edges.some((e) => e.kind === 'write' && e.queue === q)) {
      const readers = edges
        .filter((e) => e.kind === 'read' && e.queue === q)
        .map((e) => groupRank[e.group]);
      if (readers.length) queueRank[q] = Math.max(1, Math.min(...readers) - 1);
    }
  });
  for (const e of edges) {
    const from = e.kind === 'write' ? groupRank[e.group] : queueRank[e.queue];
    const to = e.kind === 'write' ? queueRank[e.queue] : groupRank[e.group];
    e.back = to <= from;
  }
  return {
    groups,
    threadGroup,
    // The done end is the done queue when nothing takes items out of it and it has no bound
    // (F4's out_queue is read by main and bounded: it stays a queue, full and blocking).
    queues: queues.map((q, i) => ({
      index: i,
      name: q.name,
      kind: q.kind,
      done: scenario.done_queue === i && !gets.has(i) && !(q.maxsize > 0),
    })),
    edges,
    groupRank,
    queueRank,
    items: scenario.items ?? 0,
    memory: scenario.memory ?? null,
  };
}

/** Longest-path ranks from `root`, ignoring edges that close a cycle (found by DFS). */
function ranks(n, edges, root) {
  const out = Array.from({ length: n }, () => []);
  edges.forEach((e, i) => out[e.from].push(i));
  const state = new Array(n).fill(0); // 0 new, 1 on stack, 2 done
  const back = new Set();
  const order = [];
  const visit = (start) => {
    const stack = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, k] = top;
      if (k < out[v].length) {
        top[1]++;
        const ei = out[v][k];
        const w = edges[ei].to;
        if (state[w] === 1) back.add(ei);
        else if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        order.push(v);
        stack.pop();
      }
    }
  };
  if (n > 0) visit(root);
  for (let v = 0; v < n; v++) if (state[v] === 0) visit(v);
  const rank = new Array(n).fill(0);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    for (const ei of out[v]) {
      if (back.has(ei)) continue;
      const w = edges[ei].to;
      rank[w] = Math.max(rank[w], rank[v] + 1);
    }
  }
  return rank;
}

/** Widths of a column's kinds, in CSS pixels before scaling. */
const WIDTH = { main: 112, group: 132, queue: 150, done: 118 };
const GAP = 34;

/**
 * Boxes for `shape` on a canvas of `width` x `height` CSS pixels. `maxsize` is each queue's
 * current bound (it can change while running). Returns {threads, groups, queues, columns, ...}.
 */
export function place(shape, { width, height, maxsize = [], large = false }) {
  const top = large ? 40 : 32; // column titles
  const bottom = large ? 80 : 68; // the lane for back edges and the status banner
  const areaTop = top;
  const areaH = Math.max(60, height - top - bottom);

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
  const margin = 14;
  const avail = width - margin * 2;
  // Shrink to fit; grow widths a little and spread the rest into the gaps when there is room.
  const scale = Math.min(1.35, avail / baseTotal);
  const widthsTotal = used.reduce((sum, c) => sum + c.baseWidth * scale, 0);
  const gap = used.length > 1 ? Math.min(110, (avail - widthsTotal) / (used.length - 1)) : 0;
  const total = widthsTotal + gap * Math.max(0, used.length - 1);
  let x = margin + (avail - total) / 2;
  for (const c of used) {
    c.x = x;
    c.w = c.baseWidth * scale;
    x += c.w + gap;
  }

  const threads = [];
  const groups = [];
  const queues = [];
  const unit = Math.max(0.7, Math.min(1.25, scale)) * (large ? 1.25 : 1);

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
          ? doneBox(c, y0, slotH, unit)
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

/** The done end: a tray that counts finished items. */
function doneBox(c, y0, slotH, unit) {
  const pad = 8 * unit;
  const h = Math.min(slotH - 20, 170 * unit);
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
