// What the page loads from npm packages, and which wasm builds exist. Shared by the dev server
// (scripts/serve.mjs serves these paths from node_modules/) and the static build
// (scripts/build-dist.mjs copies them), so the page uses the same paths in both.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Page path -> file in the repository. */
export const VENDOR_FILES = {
  'vendor/uplot/uPlot.iife.min.js': 'node_modules/uplot/dist/uPlot.iife.min.js',
  'vendor/uplot/uPlot.min.css': 'node_modules/uplot/dist/uPlot.min.css',
  'vendor/uplot/LICENSE': 'node_modules/uplot/LICENSE',
  // A service worker controls the folder it is served from: the site root.
  'coi-serviceworker.js': 'node_modules/coi-serviceworker/coi-serviceworker.js',
  'vendor/coi-serviceworker/LICENSE': 'node_modules/coi-serviceworker/LICENSE',
};

/** The wasm builds present under `root`/pkg: 'st' (model engine), 'mt' (threaded). */
export function listBuilds(root) {
  return ['st', 'mt'].filter((name) => existsSync(join(root, 'pkg', name, 'pipeline_lab.js')));
}

/** The body of pkg/builds.json, which the page reads to know whether pkg/mt/ exists. */
export function buildsManifest(root) {
  return `${JSON.stringify({ builds: listBuilds(root) })}\n`;
}
