#!/usr/bin/env node
// Feed firestore.indexes.json to the installed firebase-tools' own spec validation (what
// `firebase deploy --only firestore:indexes` runs before calling the Firestore Admin API).
//
//   node scripts/validate-indexes.js [path/to/firestore.indexes.json]
//
// Exit 0 and a JSON summary on success; exit 1 with firebase-tools' message on rejection.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const file = path.resolve(process.argv[2] || path.join(root, "firestore.indexes.json"));
const tools = path.dirname(require.resolve("firebase-tools/package.json", { paths: [root] }));
const { FirestoreApi } = require(path.join(tools, "lib", "firestore", "api"));

try {
  const raw = JSON.parse(fs.readFileSync(file, "utf8"));
  const api = new FirestoreApi();
  const spec = api.upgradeOldSpec({ indexes: raw.indexes, fieldOverrides: raw.fieldOverrides });
  api.validateSpec(spec);
  const summary = { ok: true, file, indexes: spec.indexes.length, fieldOverrides: spec.fieldOverrides.length };
  process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
} catch (err) {
  process.stderr.write(`firebase-tools rejects ${file}:\n${err.message || err}\n`);
  process.exit(1);
}
