// Static file server for the repo root on 127.0.0.1, with the cross-origin isolation headers
// that SharedArrayBuffer (the threaded build) needs. No dependencies; not for production.
// Paths under vendor/ (and /coi-serviceworker.js) come from node_modules (scripts/vendor.mjs);
// pkg/builds.json is made on the fly when the folder has none.
//
// CLI:    node scripts/serve.mjs [--no-isolation] [--port N] [--root DIR]
//         (env PORT, NO_ISOLATION=1; --root dist serves the output of `npm run build`)
//         Tries the next ports when the chosen one is busy; prints http://localhost:PORT/.
// Module: import { startServer } from './scripts/serve.mjs';
//         const { server, port, url, close } = await startServer({ port: 0 });

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VENDOR_FILES, buildsManifest } from './vendor.mjs';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.py': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The headers every response carries; `isolation` adds COOP/COEP (crossOriginIsolated). */
function baseHeaders(isolation) {
  const headers = {
    'Cache-Control': 'no-cache',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  };
  if (isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return headers;
}

/**
 * Maps a request path to a file under `root`, or null when it would leave the root.
 * Directories map to their index.html.
 */
async function resolveFile(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  // No dotfiles or dot-folders (.git, .ci, ...): nothing the page needs lives there.
  if (decoded.split('/').some((part) => part.startsWith('.'))) return null;
  const full = resolve(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  let info;
  try {
    info = await stat(full);
  } catch {
    return null;
  }
  if (info.isDirectory()) {
    const index = join(full, 'index.html');
    try {
      const indexInfo = await stat(index);
      return indexInfo.isFile() ? { path: index, size: indexInfo.size } : null;
    } catch {
      return null;
    }
  }
  return info.isFile() ? { path: full, size: info.size } : null;
}

function createHandler(root, isolation) {
  return async (req, res) => {
    const headers = baseHeaders(isolation);
    const send = (status, body) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(405, 'method not allowed\n');
      return;
    }
    const urlPath = new URL(req.url, 'http://localhost').pathname;
    let file = await resolveFile(root, urlPath);
    const vendored = VENDOR_FILES[urlPath.slice(1)];
    if (!file && vendored) file = await resolveFile(REPO_ROOT, `/${vendored}`);
    if (!file && urlPath === '/pkg/builds.json') {
      const body = buildsManifest(root);
      res.writeHead(200, {
        ...headers,
        'Content-Type': MIME_TYPES['.json'],
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (!file) {
      send(404, 'not found\n');
      return;
    }
    const type = MIME_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': file.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

function listen(server, port, host) {
  return new Promise((resolveListen, rejectListen) => {
    const onError = (err) => {
      server.off('listening', onListening);
      rejectListen(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the server. `port: 0` picks a free ephemeral port. When the port is busy and
 * `portTries` > 1, the following ports are tried in turn.
 * Resolves to { server, port, url, close() }.
 */
export async function startServer({
  port = 8080,
  host = '127.0.0.1',
  root = REPO_ROOT,
  isolation = true,
  portTries = 1,
} = {}) {
  const rootDir = resolve(root);
  const server = createServer(createHandler(rootDir, isolation));
  let lastError;
  for (let attempt = 0; attempt < Math.max(1, portTries); attempt++) {
    const tryPort = port === 0 ? 0 : port + attempt;
    try {
      const bound = await listen(server, tryPort, host);
      return {
        server,
        port: bound,
        url: `http://localhost:${bound}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      };
    } catch (err) {
      lastError = err;
      if (err.code !== 'EADDRINUSE' || port === 0) break;
    }
  }
  throw lastError;
}

function parseArgs(argv) {
  const options = {
    port: Number.parseInt(process.env.PORT ?? '8080', 10),
    isolation: !['1', 'true', 'yes'].includes((process.env.NO_ISOLATION ?? '').toLowerCase()),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-isolation') options.isolation = false;
    else if (arg === '--port') options.port = Number.parseInt(argv[++i], 10);
    else if (arg.startsWith('--port=')) options.port = Number.parseInt(arg.slice(7), 10);
    else if (arg === '--root') options.root = resolve(argv[++i]);
    else if (arg.startsWith('--root=')) options.root = resolve(arg.slice(7));
    else throw new Error(`serve: unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('serve: PORT must be an integer from 0 to 65535');
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { url, close } = await startServer({ ...options, portTries: 20 });
  const mode = options.isolation ? 'cross-origin isolated' : 'no isolation headers';
  console.log(`Pipeline Lab (${mode}) at`);
  console.log(url);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message ?? err);
    process.exit(1);
  });
}
