#!/usr/bin/env node
// Feed a functions manifest (functions/functions.yaml) to the installed firebase-tools' own
// parser and validators, so a manifest `firebase deploy` would reject never lands.
//
//   node scripts/validate-manifest.js [path/to/functions.yaml] [--project ID] [--runtime python311]
//
// Runs what `firebase deploy` runs on the manifest before talking to Google Cloud:
// discovery (yaml -> build: v1alpha1 key and type checks), build -> backend (memory,
// ingress, CPU resolution) and the endpoint validation (function ids, timeouts per
// trigger kind, CPU/memory/concurrency limits). The runtime defaults to firebase.json's.
// Exit 0 and a JSON summary on success; exit 1 with firebase-tools' message on rejection.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  if (index === -1) return fallback;
  const value = args[index + 1];
  args.splice(index, 2);
  return value;
};
const project = option("--project", "demo-flask-boiler");
const firebaseJson = JSON.parse(fs.readFileSync(path.join(root, "firebase.json"), "utf8"));
const codebases = Array.isArray(firebaseJson.functions) ? firebaseJson.functions : [firebaseJson.functions];
const runtime = option("--runtime", codebases[0] && codebases[0].runtime);
const manifestPath = path.resolve(args[0] || path.join(root, "functions", "functions.yaml"));

const toolsPackage = require.resolve("firebase-tools/package.json", { paths: [root] });
const tools = path.dirname(toolsPackage);
const load = (relative) => require(path.join(tools, "lib", relative));
const yaml = createRequire(toolsPackage)("yaml");
const discovery = load("deploy/functions/runtimes/discovery");
const build = load("deploy/functions/build");
const backend = load("deploy/functions/backend");
const validate = load("deploy/functions/validate");
const supported = load("deploy/functions/runtimes/supported");

function describe(err) {
  const lines = [err.message || String(err)];
  for (const child of (err.children || [])) lines.push("  " + describe(child));
  if (err.context && err.context.children) for (const c of err.context.children) lines.push("  " + describe(c));
  return lines.join("\n");
}

try {
  if (!supported.isRuntime(runtime) || !supported.runtimeIsLanguage(runtime, "python")) {
    throw new Error(`firebase.json runtime ${JSON.stringify(runtime)} is not a Python runtime firebase-tools supports`);
  }
  const parsed = yaml.parse(fs.readFileSync(manifestPath, "utf8"));
  const wantBuild = discovery.yamlToBuild(parsed, project, "us-central1", runtime);
  const wantBackend = build.toBackend(wantBuild, {});
  validate.endpointsAreValid(wantBackend, backend.empty());
  const endpoints = backend.allEndpoints(wantBackend).map((ep) => ({
    id: ep.id,
    region: ep.region,
    entryPoint: ep.entryPoint,
    trigger: backend.endpointTriggerType(ep),
  }));
  process.stdout.write(JSON.stringify({ ok: true, manifest: manifestPath, runtime, endpoints }, null, 2) + "\n");
} catch (err) {
  process.stderr.write(`firebase-tools rejects ${manifestPath}:\n${describe(err)}\n`);
  process.exit(1);
}
