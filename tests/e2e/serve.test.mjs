// Tests of scripts/serve.mjs without a browser: isolation headers, MIME types, no escape
// from the repo root, and the --no-isolation mode the single-threaded fallback is tested with.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';

/** A raw GET that sends the path as written (fetch would normalise "../"). */
function get(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('isolated server', () => {
  let server;
  before(async () => {
    server = await startServer({ port: 0 });
  });
  after(() => server.close());

  test('serves index.html with COOP, COEP, CORP and no-cache', async () => {
    const res = await get(server.port, '/');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(res.headers['cache-control'], 'no-cache');
  });

  test('serves JavaScript modules as text/javascript', async () => {
    const res = await get(server.port, '/www/main.js');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'], /^text\/javascript/);
  });

  test('refuses paths outside the root and dotfiles', async () => {
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/.git/config',
      '/www/%00',
    ]) {
      const res = await get(server.port, path);
      assert.equal(res.statusCode, 404, path);
    }
  });

  test('answers HEAD without a body and refuses POST', async () => {
    assert.equal((await get(server.port, '/index.html', 'HEAD')).statusCode, 200);
    assert.equal((await get(server.port, '/index.html', 'POST')).statusCode, 405);
  });

  test('serves uPlot and coi-serviceworker from node_modules at the paths the page uses', async () => {
    for (const path of ['/vendor/uplot/uPlot.iife.min.js', '/coi-serviceworker.js']) {
      const res = await get(server.port, path);
      assert.equal(res.statusCode, 200, path);
      assert.match(res.headers['content-type'], /^text\/javascript/, path);
    }
    assert.equal((await get(server.port, '/vendor/uplot/uPlot.min.css')).statusCode, 200);
  });

  test('makes pkg/builds.json from the builds present', async () => {
    const body = await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/pkg/builds.json' }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    const { builds } = JSON.parse(body);
    assert.ok(builds.includes('st'), body);
  });

  test('a busy port moves on to the next one', async () => {
    const next = await startServer({ port: server.port, portTries: 5 });
    try {
      assert.ok(next.port > server.port && next.port <= server.port + 4);
      assert.equal(next.url, `http://localhost:${next.port}/`);
    } finally {
      await next.close();
    }
  });
});

describe('server with --no-isolation', () => {
  let server;
  before(async () => {
    server = await startServer({ port: 0, isolation: false });
  });
  after(() => server.close());

  test('omits COOP and COEP', async () => {
    const res = await get(server.port, '/');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cross-origin-opener-policy'], undefined);
    assert.equal(res.headers['cross-origin-embedder-policy'], undefined);
  });
});
