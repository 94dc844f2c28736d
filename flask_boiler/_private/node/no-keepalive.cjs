// Preloaded into firebase-tools by flask_boiler.testing.emulators (NODE_OPTIONS=--require).
//
// The Functions emulator proxies each request to a Python worker (functions-framework on
// gunicorn) with Node's global HTTP agent, which keeps sockets alive for 5 s, while
// gunicorn closes idle keep-alive connections after 2 s. A request sent on a socket that
// gunicorn is closing fails as "socket hang up" (HTTP 500 from the emulator). Local only:
// in production Cloud Run, not firebase-tools, talks to the container.
"use strict";
const http = require("http");
http.globalAgent = new http.Agent({ keepAlive: false });
