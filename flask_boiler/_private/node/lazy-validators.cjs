// Preloaded into firebase-tools by flask_boiler.testing.emulators (NODE_OPTIONS=--require).
//
// The Auth emulator serves the Identity Toolkit API through exegesis, which by default
// compiles an AJV validator for every request and response schema of that large OpenAPI
// document when the emulator starts: about two thirds of firebase-tools' start-up CPU here
// (AJV code generation, measured with `node --cpu-prof`), paid by every test worker's stack,
// most of it for operations no test calls. exegesis has an option for exactly this,
// `lazyCompileValidationSchemas` (compile each validator on its first use), which
// firebase-tools does not set; this makes it the default. Validation itself is unchanged:
// the same schemas, compiled a little later. Options a caller passes still win.
"use strict";
const Module = require("module");

const OPTIONS_MODULE = /[\\/]exegesis[\\/]lib[\\/]options\.js$/;
const load = Module._load;

Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  if (
    request === "./options" &&
    parent &&
    OPTIONS_MODULE.test(Module._resolveFilename(request, parent)) &&
    typeof exported.compileOptions === "function" &&
    !exported.compileOptions.lazyByDefault
  ) {
    const compileOptions = exported.compileOptions;
    const lazyByDefault = (options = {}) => compileOptions({ lazyCompileValidationSchemas: true, ...options });
    lazyByDefault.lazyByDefault = true;
    exported.compileOptions = lazyByDefault;
  }
  return exported;
};
