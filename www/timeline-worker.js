// Web Worker that records a model-engine run over time and keeps that one recording (pkg/st's
// Recording) to answer item journeys; it runs whole programs, so it stays off the page's thread.

import init, { Recording } from '../pkg/st/pipeline_lab.js';

const ready = init();
/** The last run recorded: journeys are asked of it until the next recording replaces it. */
let recording = null;

/**
 * Messages in: {id, scenario, controls, maxEvents} records (out: {id, timeline} or {id, error});
 * {id, journey: {item, atUs}} asks an item's journey in the last recording (out: {id, journey}
 * or {id, error}).
 */
self.onmessage = async (event) => {
  const { id } = event.data;
  try {
    await ready;
    if (event.data.journey) {
      if (!recording) throw new Error('no run is recorded yet');
      const { item, atUs } = event.data.journey;
      self.postMessage({ id, journey: recording.journey(item, atUs) });
      return;
    }
    const { scenario, controls, maxEvents } = event.data;
    recording?.free();
    recording = null;
    recording = new Recording(scenario, controls ?? [], maxEvents);
    self.postMessage({ id, timeline: recording.timeline() });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
