// A small static HTTP server for the web app: serves the repository root (so `/web/` and the
// package's `/pkg/dist/` are reachable) with the right MIME types (`application/wasm` for the
// wasm module), and optionally proxies path prefixes to other servers, for Beacon API servers
// that send no CORS headers.
//
//   node web/serve.mjs [--port 8080] [--host 127.0.0.1] [--proxy /beacon/=http://127.0.0.1:5052/]
//
// The browser tests import `serve` from here.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** Forwards `req` to `target` (a URL the request's remaining path is appended to). */
function forward(req, res, target) {
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`proxy: ${error.message}`);
  });
  req.pipe(upstream);
}

/**
 * Starts the server. `proxies` maps a path prefix (`/beacon/`) to a base URL
 * (`http://127.0.0.1:5052/`). Resolves with `{ url, close() }`.
 */
export async function serve({ root, port = 0, host = "127.0.0.1", proxies = {} }) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    for (const [prefix, base] of Object.entries(proxies)) {
      if (url.pathname.startsWith(prefix)) {
        return forward(req, res, new URL(url.pathname.slice(prefix.length) + url.search, base).href);
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file, (error, stat) => {
      if (!error && stat.isDirectory()) {
        if (!url.pathname.endsWith("/")) {
          res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
          return;
        }
        file = path.join(file, "index.html");
      }
      fs.readFile(file, (error, body) => {
        if (error) {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found");
          return;
        }
        res.writeHead(200, {
          "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
          "cache-control": "no-store",
        });
        res.end(req.method === "HEAD" ? undefined : body);
      });
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Run as a program.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const options = { root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."), port: 8080, proxies: {} };
  for (let i = 0; i < args.length; i++) {
    const value = args[++i];
    if (args[i - 1] === "--port") options.port = Number(value);
    else if (args[i - 1] === "--host") options.host = value;
    else if (args[i - 1] === "--proxy" && value?.includes("=")) {
      const [prefix, base] = value.split(/=(.*)/s);
      options.proxies[prefix] = base;
    } else {
      console.error("usage: node web/serve.mjs [--port N] [--host H] [--proxy /prefix/=http://upstream/]");
      process.exit(2);
    }
  }
  const { url } = await serve(options);
  console.log(`serving ${options.root} on ${url}; open ${url}/web/`);
}
