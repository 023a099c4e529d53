// Web Worker that records a model-engine run over time (pkg/st's recordTimeline runs the whole
// program, so it must stay off the page's thread). It must not touch the DOM or keep state.

import init, { recordTimeline } from '../pkg/st/pipeline_lab.js';

const ready = init();

/** Message in: {id, scenario, controls, maxEvents}. Out: {id, timeline} or {id, error}. */
self.onmessage = async (event) => {
  const { id, scenario, controls, maxEvents } = event.data;
  try {
    await ready;
    const timeline = recordTimeline(scenario, controls ?? [], maxEvents);
    self.postMessage({ id, timeline });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
