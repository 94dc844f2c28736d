// Preloaded into firebase-tools by flask_boiler.testing.emulators (NODE_OPTIONS=--require).
//
// The Functions emulator starts a Python worker (functions-framework on gunicorn) per
// function and per concurrent request, each on a TCP port it asks portfinder for:
// `getPortPromise({port: 8081 + random(0, 1000)})`, the first free port from there. The
// worker binds it only once it has imported main.py, a second or more later, and until then
// the port is still free: portfinder gives it to the next worker too. Then one gunicorn
// fails to bind ("Connection in use") while the emulator, which found something answering
// on that port, sends that worker's requests to the other function: a REST call answered
// by a Firestore trigger's worker (400, "parsing CloudEvent failed"). Thirty users joining
// a meeting at once start thirty workers in a second, so this happened in about one run
// in three of the concurrency test.
//
// Here each firebase-tools process hands out worker ports one after another from a window
// of its own (a random start in 10000-29000, below Linux's ephemeral range, so two
// stacks on one machine rarely share one), never the same port twice: calls are
// serialized and a port handed out is never handed out again until the cursor wraps.
// portfinder still checks each port is free. Only calls asking for a port in the worker
// range (8081-9081) are affected; firebase-tools' other callers get portfinder unchanged.
"use strict";
const Module = require("module");

const WORKER_RANGE = [8081, 9081];
const WINDOW_START = 10000 + Math.floor(Math.random() * 19000);
const WINDOW_SIZE = 2000;
const load = Module._load;

function distinctPorts(portfinder) {
  const getPortPromise = portfinder.getPortPromise;
  let cursor = WINDOW_START;
  let queue = Promise.resolve();

  async function next() {
    if (cursor >= WINDOW_START + WINDOW_SIZE) {
      cursor = WINDOW_START;
    }
    const port = await getPortPromise.call(portfinder, { port: cursor });
    cursor = port + 1;
    return port;
  }

  const distinct = function (options = {}) {
    const asked = Number(options.port);
    if (!(asked >= WORKER_RANGE[0] && asked <= WORKER_RANGE[1])) {
      return getPortPromise.call(portfinder, options);
    }
    const answer = queue.then(next);
    queue = answer.catch(() => undefined);
    return answer;
  };
  distinct.distinctWorkerPorts = true;
  return distinct;
}

Module._load = function (request) {
  const exported = load.apply(this, arguments);
  if (
    request === "portfinder" &&
    typeof exported.getPortPromise === "function" &&
    !exported.getPortPromise.distinctWorkerPorts
  ) {
    exported.getPortPromise = distinctPorts(exported);
  }
  return exported;
};
