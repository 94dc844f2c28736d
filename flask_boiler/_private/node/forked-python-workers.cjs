// Preloaded into firebase-tools by flask_boiler.testing.emulators (NODE_OPTIONS=--require).
//
// The Functions emulator starts every Python worker with
// `runWithVirtualEnv(["functions-framework"], functionsDir, env)`: a shell that activates the
// venv and runs functions-framework, which imports Flask, the Firestore client and gRPC before
// it serves (0.38 s of CPU here from cached bytecode, 1.2 s without). A worker is started per
// function and per concurrent request.
//
// Here, the first such call for a functions directory also starts a fork server in its venv
// (../worker_forkserver.py `serve`: those modules imported once), and every worker command
// becomes that file's `run`, spawned by the same runWithVirtualEnv with the same directory,
// environment and pipes: it has the server fork the worker, which then imports only the app
// (0.09 s). What the worker sees, the signals it gets and its exit status are as before;
// without a server, `run` becomes functions-framework itself (see the Python file).
// Every other command firebase-tools runs in a venv is left alone, and so is every command on
// Windows (no fork there).
"use strict";
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");

const SCRIPT = path.resolve(__dirname, "..", "worker_forkserver.py");
const load = Module._load;

function forkedWorkers(python) {
  const runWithVirtualEnv = python.runWithVirtualEnv;
  const servers = new Map(); // venv directory -> socket path

  // What the shell commands below expand ("$FLASK_BOILER_FORKSERVER": no quoting of paths).
  const withServer = (envs, socketPath) => ({
    ...envs,
    FLASK_BOILER_FORKSERVER: SCRIPT,
    FLASK_BOILER_FORKSERVER_SOCKET: socketPath,
  });

  function startServer(venv, cwd, envs, venvDir) {
    // In a directory of our own (mode 0700): no other user can put a socket where the workers
    // would hand it their environment.
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "flask-boiler-workers-"));
    const socketPath = path.join(directory, "server.sock");
    const server = runWithVirtualEnv.call(
      python,
      ["python", '"$FLASK_BOILER_FORKSERVER"', "serve", '"$FLASK_BOILER_FORKSERVER_SOCKET"'],
      cwd,
      withServer(envs, socketPath),
      { stdio: ["pipe", "ignore", "inherit"] },
      venvDir,
    );
    // The server removes its socket and directory when it stops; if it was killed, failed to
    // start, or firebase-tools exits first, they are removed here (and the next worker starts
    // a new server).
    const removeDirectory = () => fs.rmSync(directory, { recursive: true, force: true });
    const forget = () => {
      if (servers.get(venv) === socketPath) {
        servers.delete(venv);
      }
      removeDirectory();
    };
    process.on("exit", removeDirectory);
    server.on("exit", forget);
    server.on("error", forget);
    return socketPath;
  }

  function serverFor(cwd, envs, venvDir) {
    const venv = path.resolve(cwd, venvDir || "venv");
    if (!servers.has(venv)) {
      servers.set(venv, startServer(venv, cwd, envs, venvDir));
    }
    return servers.get(venv);
  }

  const forked = function (commandAndArgs, cwd, envs, spawnOpts, venvDir) {
    if (process.platform === "win32" || !Array.isArray(commandAndArgs) || commandAndArgs[0] !== "functions-framework") {
      return runWithVirtualEnv.apply(this, arguments);
    }
    return runWithVirtualEnv.call(
      this,
      ["python", "-I", "-S", '"$FLASK_BOILER_FORKSERVER"', "run", ...commandAndArgs.slice(1)],
      cwd,
      withServer(envs, serverFor(cwd, envs, venvDir)),
      spawnOpts,
      venvDir,
    );
  };
  forked.forkedPythonWorkers = true;
  return forked;
}

const PYTHON_MODULE = path.join("lib", "functions", "python.js");

function isFirebaseToolsPython(request, parent) {
  if (typeof request !== "string" || !/python(\.js)?$/.test(request)) {
    return false;
  }
  try {
    return Module._resolveFilename(request, parent).endsWith(PYTHON_MODULE);
  } catch {
    return false;
  }
}

Module._load = function (request, parent) {
  const exported = load.apply(this, arguments);
  if (
    exported &&
    typeof exported.runWithVirtualEnv === "function" &&
    !exported.runWithVirtualEnv.forkedPythonWorkers &&
    isFirebaseToolsPython(request, parent)
  ) {
    exported.runWithVirtualEnv = forkedWorkers(exported);
  }
  return exported;
};
