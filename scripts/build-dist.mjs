// Writes the static site to dist/ (or --out DIR): index.html, www/, the wasm builds in pkg/,
// uPlot and coi-serviceworker from node_modules, pkg/builds.json, and header files for hosts
// that read them. Any static host can serve the result; it does not build the wasm itself.
//
// Usage: node scripts/build-dist.mjs [--out DIR]      (`npm run build` runs the wasm build first)

import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VENDOR_FILES, buildsManifest, listBuilds } from './vendor.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Headers for hosts that read a `_headers` file (Netlify, Cloudflare Pages). */
const HEADERS_FILE = `/*
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
  Cross-Origin-Resource-Policy: same-origin
/*.wasm
  Content-Type: application/wasm
`;

export async function buildDist(out = join(ROOT, 'dist')) {
  const builds = listBuilds(ROOT);
  if (!builds.includes('st')) {
    throw new Error(
      'build-dist: pkg/st/ is missing: run `npm run build` (or scripts/build-wasm.sh) first',
    );
  }
  for (const [page, file] of Object.entries(VENDOR_FILES)) {
    if (!existsSync(join(ROOT, file)))
      throw new Error(`build-dist: ${file} is missing: run \`npm ci\``);
    void page;
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await cp(join(ROOT, 'index.html'), join(out, 'index.html'));
  await cp(join(ROOT, 'www'), join(out, 'www'), { recursive: true });
  for (const name of builds) {
    // Only what the page loads: the JS glue, the wasm, and the snippets wasm-bindgen-rayon needs.
    const from = join(ROOT, 'pkg', name);
    for (const entry of await readdir(from)) {
      if (entry.endsWith('.d.ts') || entry === 'package.json' || entry === '.gitignore') continue;
      await cp(join(from, entry), join(out, 'pkg', name, entry), { recursive: true });
    }
  }
  await writeFile(join(out, 'pkg', 'builds.json'), buildsManifest(ROOT));
  for (const [page, file] of Object.entries(VENDOR_FILES)) {
    await mkdir(dirname(join(out, page)), { recursive: true });
    await cp(join(ROOT, file), join(out, page));
  }
  // GitHub Pages runs Jekyll unless told not to; _headers is for hosts that can set headers.
  await writeFile(join(out, '.nojekyll'), '');
  await writeFile(join(out, '_headers'), HEADERS_FILE);
  return { out, builds, bytes: await folderSize(out) };
}

async function folderSize(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await folderSize(path) : (await stat(path)).size;
  }
  return total;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = i >= 0 ? resolve(args[i + 1]) : join(ROOT, 'dist');
  buildDist(out)
    .then(({ builds, bytes }) => {
      console.log(
        `build-dist: wrote ${out} (builds: ${builds.join(', ')}; ${(bytes / 1024).toFixed(0)} KiB)`,
      );
      console.log(
        'build-dist: serve it with any static server, e.g. node scripts/serve.mjs --root dist',
      );
    })
    .catch((error) => {
      console.error(error.message ?? error);
      process.exit(1);
    });
}
