// Loads the Pulumi program's TypeScript files with a transpile cache on disk.
//
// Pulumi's own TypeScript support runs every file through ts-node on every run, which
// costs seconds of CPU per preview for a program of this size. This hook transpiles
// each file once with TypeScript's transpileModule (no type checking; `npm run
// typecheck` and the tests do that) and keeps the output in
// node_modules/.cache/inova-pbx-typescript. A file is transpiled again when its text,
// tsconfig.json, the TypeScript version or this hook changes, because all of them are
// part of the cache key. TypeScript itself is loaded only on a cache miss. Entries are
// never removed; deleting the directory is safe and only costs one slower run.
//
// Source maps are off by default: the Pulumi SDK formats a stack trace for every
// resource it registers, and mapping those frames cost 0.2 to 0.5 s per preview of
// one site when measured. With INOVA_SOURCE_MAPS=1, stack traces point at TypeScript lines.
//
// Pulumi.yaml loads it with `nodeargs: --require ./scripts/register-typescript.js`.
// The dynamic resources' provider host loads it too (components/providers/project-resource.ts).

"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIRECTORY = path.join(ROOT, "node_modules", ".cache", "inova-pbx-typescript");
const SOURCE_MAPS = process.env.INOVA_SOURCE_MAPS === "1";
if (SOURCE_MAPS) {
  process.setSourceMapsEnabled(true);
}

let typescript;
let compilerOptions;

function loadTypeScript() {
  if (typescript === undefined) {
    typescript = require(path.join(ROOT, "node_modules", "typescript"));
    const configPath = path.join(ROOT, "tsconfig.json");
    const parsed = typescript.parseJsonConfigFileContent(
      typescript.readConfigFile(configPath, typescript.sys.readFile).config,
      typescript.sys,
      ROOT,
    );
    compilerOptions = { ...parsed.options, inlineSourceMap: SOURCE_MAPS, inlineSources: false, sourceMap: false, noEmit: false };
  }
  return typescript;
}

// Computed once per process: what every cache entry depends on besides the file's own text.
const sharedKey = (() => {
  const hash = crypto.createHash("sha256");
  hash.update(fs.readFileSync(__filename));
  hash.update(fs.readFileSync(path.join(ROOT, "tsconfig.json")));
  hash.update(fs.readFileSync(path.join(ROOT, "node_modules", "typescript", "package.json")));
  hash.update(SOURCE_MAPS ? "source maps" : "no source maps");
  return hash.digest("hex");
})();

function transpile(fileName, source) {
  const key = crypto.createHash("sha256").update(sharedKey).update(fileName).update("\0").update(source).digest("hex");
  const cached = path.join(CACHE_DIRECTORY, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch (error) {
    if (error.code !== "ENOENT") {
      throw error;
    }
  }

  const ts = loadTypeScript();
  const output = ts.transpileModule(source, { compilerOptions, fileName, reportDiagnostics: false }).outputText;
  // Written under a temporary name and renamed, so a concurrent run never reads half a file.
  fs.mkdirSync(CACHE_DIRECTORY, { recursive: true });
  const temporary = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, output);
  fs.renameSync(temporary, cached);
  return output;
}

require.extensions[".ts"] = function loadTypeScriptModule(module, fileName) {
  if (fileName.includes(`${path.sep}node_modules${path.sep}`)) {
    throw new Error(`cannot load ${fileName}: TypeScript files under node_modules are not transpiled; use the package's JavaScript build`);
  }
  module._compile(transpile(fileName, fs.readFileSync(fileName, "utf8")), fileName);
};
