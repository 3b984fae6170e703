// Build context of an image: the files sent to the engine, filtered by
// .dockerignore, their content hash, and the tar archive the builder reads.
//
// .dockerignore rules follow the Docker CLI. Each line is one pattern, `#`
// starts a comment and a leading `!` makes an exception. Patterns use Go
// filepath.Match syntax plus `**` for any number of directories. A pattern
// also excludes everything below a directory it matches, and the last
// matching line wins. The Dockerfile and .dockerignore are always sent, as
// the CLI does, and the engine keeps them out of COPY and ADD when ignored.

import type { Readable } from "stream";

export interface IgnoreRule {
  /** Pattern after cleaning, without the leading `!`. */
  readonly pattern: string;
  /** True for a `!` line, which re-includes matching paths. */
  readonly exception: boolean;
  readonly regex: RegExp;
}

export interface ContextEntry {
  /** Path inside the archive, `/`-separated, relative to the context root. */
  readonly path: string;
  readonly type: "file" | "directory" | "symlink";
  /** Permission bits (including setuid, setgid and sticky). */
  readonly mode: number;
  /** Absolute path of the source on disk; absent for generated entries. */
  readonly sourcePath?: string;
  /** Content of a generated file entry. */
  readonly content?: Buffer;
  readonly size: number;
  readonly linkTarget?: string;
  readonly modifiedAt: Date;
}

export interface BuildContext {
  /** Entries sorted by path. */
  readonly entries: readonly ContextEntry[];
  /** Path of the Dockerfile inside the archive, passed as the build's `dockerfile` option. */
  readonly dockerfilePath: string;
}

/** Archive path given to a Dockerfile that lives outside the context directory. */
function externalDockerfileArchivePath(): string {
  return ".pulumi-external.Dockerfile";
}

/** Converts one cleaned pattern to an anchored regular expression. */
function ignorePatternToRegex(pattern: string, lineNumber: number): RegExp {
  const escapeLiteral = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  let source = "^";
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === "*") {
      if (pattern[index + 1] === "*") {
        index++;
        if (pattern[index + 1] === "/") {
          // "**/" matches zero or more whole directories.
          index++;
          source += "(?:.*/)?";
        } else {
          source += ".*";
        }
      } else {
        source += "[^/]*";
      }
    } else if (character === "?") {
      source += "[^/]";
    } else if (character === "\\") {
      index++;
      if (index >= pattern.length) {
        throw new Error(`.dockerignore line ${lineNumber}: invalid pattern "${pattern}" ends with a backslash`);
      }
      source += escapeLiteral(pattern[index]);
    } else if (character === "[") {
      let end = index + 1;
      let classSource = "[";
      if (pattern[end] === "^") {
        classSource += "^";
        end++;
      }
      let members = 0;
      while (end < pattern.length && (pattern[end] !== "]" || members === 0)) {
        if (pattern[end] === "\\" && end + 1 < pattern.length) {
          end++;
          classSource += escapeLiteral(pattern[end]);
        } else if (pattern[end] === "-" && members > 0 && pattern[end + 1] !== "]") {
          classSource += "-";
        } else {
          classSource += escapeLiteral(pattern[end]);
        }
        members++;
        end++;
      }
      if (end >= pattern.length) {
        throw new Error(`.dockerignore line ${lineNumber}: invalid pattern "${pattern}" has an unclosed "["`);
      }
      source += `${classSource}]`;
      index = end;
    } else {
      source += escapeLiteral(character);
    }
  }
  return new RegExp(`${source}$`);
}

/** Parses the text of a .dockerignore file; throws on an invalid pattern. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const path: typeof import("path") = require("path");
  const rules: IgnoreRule[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((rawLine, lineIndex) => {
    let line = rawLine.trim();
    if (line === "" || line.startsWith("#")) {
      return;
    }
    const exception = line.startsWith("!");
    if (exception) {
      line = line.slice(1).trim();
    }
    if (line === "") {
      return;
    }
    let pattern = path.posix.normalize(line);
    if (pattern.length > 1) {
      pattern = pattern.replace(/\/+$/, "");
    }
    if (pattern.length > 1 && pattern.startsWith("/")) {
      pattern = pattern.slice(1);
    }
    rules.push({ pattern, exception, regex: ignorePatternToRegex(pattern, lineIndex + 1) });
  });
  return rules;
}

/**
 * Reports whether `relativePath` is excluded by `rules`. A rule applies when
 * it matches the path or any of its parent directories; the last applying
 * rule decides.
 */
export function isIgnored(relativePath: string, rules: readonly IgnoreRule[]): boolean {
  const segments = relativePath.split("/");
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join("/"));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) {
      ignored = !rule.exception;
    }
  }
  return ignored;
}

/**
 * Lists the entries of the build context in `contextDir`, honouring
 * .dockerignore. `dockerfile` is relative to the context or absolute; a
 * Dockerfile outside the context is added as a generated entry.
 */
export function collectBuildContext(contextDir: string, dockerfile = "Dockerfile"): BuildContext {
  const fs: typeof import("fs") = require("fs");
  const path: typeof import("path") = require("path");

  const root = path.resolve(contextDir);
  if (!fs.statSync(root).isDirectory()) {
    throw new Error(`build context ${root} is not a directory`);
  }
  const ignorePath = path.join(root, ".dockerignore");
  const rules = fs.existsSync(ignorePath) ? parseDockerignore(fs.readFileSync(ignorePath, "utf8")) : [];
  const hasExceptions = rules.some((rule) => rule.exception);

  const dockerfileAbsolute = path.resolve(root, dockerfile);
  const dockerfileRelative = path.relative(root, dockerfileAbsolute);
  const dockerfileInside = !dockerfileRelative.startsWith("..") && !path.isAbsolute(dockerfileRelative);
  const dockerfilePath = dockerfileInside
    ? dockerfileRelative.split(path.sep).join("/")
    : externalDockerfileArchivePath();
  if (!fs.existsSync(dockerfileAbsolute) || !fs.statSync(dockerfileAbsolute).isFile()) {
    throw new Error(`Dockerfile ${dockerfileAbsolute} not found`);
  }
  const alwaysSent = new Set([".dockerignore", dockerfilePath]);

  const entries: ContextEntry[] = [];
  const walk = (directory: string, relativeDirectory: string) => {
    const children = fs.readdirSync(directory, { withFileTypes: true });
    for (const child of children) {
      const sourcePath = path.join(directory, child.name);
      const relativePath = relativeDirectory === "" ? child.name : `${relativeDirectory}/${child.name}`;
      const stats = fs.lstatSync(sourcePath);
      const ignored = isIgnored(relativePath, rules) && !alwaysSent.has(relativePath);
      const mode = stats.mode & 0o7777;
      if (stats.isDirectory()) {
        if (!ignored) {
          entries.push({ path: relativePath, type: "directory", mode, sourcePath, size: 0, modifiedAt: stats.mtime });
          walk(sourcePath, relativePath);
        } else if (hasExceptions || [...alwaysSent].some((sent) => sent.startsWith(`${relativePath}/`))) {
          // An exception, or the Dockerfile, may sit below an ignored directory.
          walk(sourcePath, relativePath);
        }
      } else if (ignored) {
        continue;
      } else if (stats.isFile()) {
        entries.push({ path: relativePath, type: "file", mode, sourcePath, size: stats.size, modifiedAt: stats.mtime });
      } else if (stats.isSymbolicLink()) {
        const linkTarget = fs.readlinkSync(sourcePath);
        entries.push({ path: relativePath, type: "symlink", mode, sourcePath, size: 0, linkTarget, modifiedAt: stats.mtime });
      }
      // Sockets, FIFOs and device files are not sent, as the Docker CLI skips them too.
    }
  };
  walk(root, "");

  if (!dockerfileInside) {
    const stats = fs.statSync(dockerfileAbsolute);
    const content = fs.readFileSync(dockerfileAbsolute);
    entries.push({
      path: dockerfilePath,
      type: "file",
      mode: stats.mode & 0o7777,
      content,
      size: content.length,
      modifiedAt: stats.mtime,
    });
  }

  // Code-unit order, not locale order, so the hash is the same on every machine.
  entries.sort((left, right) => {
    if (left.path === right.path) {
      return 0;
    }
    return left.path < right.path ? -1 : 1;
  });
  return { entries, dockerfilePath };
}

/**
 * Digests of context files from earlier runs, keyed by source path, size and
 * modification time, so that a preview reads only files that changed. The
 * records API's context contains about 14,000 files (its node_modules), which
 * otherwise take about 0.3 s to read and hash on every preview.
 */
interface DigestCache {
  readonly file: string;
  readonly digests: Map<string, string>;
  changed: boolean;
}

/** A file modified this recently may change again within the same millisecond, so its digest is not kept. */
const DIGEST_CACHE_MIN_AGE_MS = 2000;

function digestCacheKey(entry: ContextEntry): string {
  return `${entry.sourcePath}\0${entry.size}\0${entry.modifiedAt.getTime()}`;
}

function loadDigestCache(file: string): DigestCache {
  const fs: typeof import("fs") = require("fs");
  const digests = new Map<string, string>();
  try {
    for (const [key, digest] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>)) {
      digests.set(key, digest);
    }
  } catch {
    // No cache yet, or an unreadable one: every file is read and the cache is written again.
  }
  return { file, digests, changed: false };
}

function saveDigestCache(cache: DigestCache, keys: ReadonlySet<string>): void {
  const fs: typeof import("fs") = require("fs");
  const path: typeof import("path") = require("path");
  if (!cache.changed && keys.size === cache.digests.size) {
    return;
  }
  const used: Record<string, string> = {};
  for (const key of keys) {
    const digest = cache.digests.get(key);
    if (digest !== undefined) {
      used[key] = digest;
    }
  }
  // Written under a temporary name and renamed, so a concurrent run never reads half a file.
  fs.mkdirSync(path.dirname(cache.file), { recursive: true });
  const temporary = `${cache.file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(used));
  fs.renameSync(temporary, cache.file);
}

/** Returns the hex SHA-256 of an entry's content, from the cache when its size and modification time are unchanged. */
function entryDigest(entry: ContextEntry, cache: DigestCache | undefined, keys: Set<string>): string {
  const crypto: typeof import("crypto") = require("crypto");
  const fs: typeof import("fs") = require("fs");
  if (entry.content !== undefined || cache === undefined) {
    return crypto.createHash("sha256").update(entry.content ?? fs.readFileSync(entry.sourcePath as string)).digest("hex");
  }
  const key = digestCacheKey(entry);
  const cached = cache.digests.get(key);
  if (cached !== undefined) {
    keys.add(key);
    return cached;
  }
  const digest = crypto.createHash("sha256").update(fs.readFileSync(entry.sourcePath as string)).digest("hex");
  if (Date.now() - entry.modifiedAt.getTime() >= DIGEST_CACHE_MIN_AGE_MS) {
    cache.digests.set(key, digest);
    cache.changed = true;
    keys.add(key);
  }
  return digest;
}

/**
 * Returns `sha256:<hex>` over the sorted entry paths, types, permission bits
 * and file contents (symlink targets for links). Modification times are left
 * out, so touching a file does not change the hash. With `digestCacheFile`,
 * file digests are reused from, and saved to, that file.
 */
export function hashBuildContext(context: BuildContext, digestCacheFile?: string): string {
  const crypto: typeof import("crypto") = require("crypto");
  const cache = digestCacheFile === undefined ? undefined : loadDigestCache(digestCacheFile);
  const keys = new Set<string>();
  const hash = crypto.createHash("sha256");
  hash.update(`dockerfile ${JSON.stringify(context.dockerfilePath)}\n`);
  for (const entry of context.entries) {
    hash.update(`${entry.type} ${JSON.stringify(entry.path)} ${entry.mode.toString(8)} `);
    if (entry.type === "file") {
      hash.update(entryDigest(entry, cache, keys));
    } else if (entry.type === "symlink") {
      hash.update(JSON.stringify(entry.linkTarget));
    }
    hash.update("\n");
  }
  if (cache !== undefined) {
    saveDigestCache(cache, keys);
  }
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Returns the file that keeps the file digests of one context directory between
 * runs, in the project's node_modules/.cache, which only its owner can write.
 */
export function digestCacheFileOf(contextDir: string): string {
  const crypto: typeof import("crypto") = require("crypto");
  const path: typeof import("path") = require("path");
  const name = crypto.createHash("sha256").update(path.resolve(contextDir)).digest("hex").slice(0, 32);
  return path.join(__dirname, "..", "..", "..", "node_modules", ".cache", "inova-pbx-context", `${name}.json`);
}

/** Computes the context hash of `contextDir` in one call, reusing the digests of unchanged files. */
export function hashContextDirectory(contextDir: string, dockerfile?: string): string {
  return hashBuildContext(collectBuildContext(contextDir, dockerfile), digestCacheFileOf(contextDir));
}

/**
 * Streams the context as a tar archive. Entries are owned by 0:0 as with the
 * Docker CLI; files are read one at a time while the engine consumes the stream.
 */
export function packBuildContext(context: BuildContext): Readable {
  const tarStream: typeof import("tar-stream") = require("tar-stream");
  const fs: typeof import("fs") = require("fs");
  const pack = tarStream.pack();

  const writeEntries = async () => {
    for (const entry of context.entries) {
      const header = {
        name: entry.path,
        mode: entry.mode,
        mtime: entry.modifiedAt,
        uid: 0,
        gid: 0,
      };
      if (entry.type === "directory") {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: "directory" }, (error) => (error ? reject(error) : resolve())),
        );
      } else if (entry.type === "symlink") {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: "symlink", linkname: entry.linkTarget }, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      } else if (entry.content !== undefined) {
        const content = entry.content;
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: "file", size: content.length }, content, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      } else {
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ ...header, type: "file", size: entry.size }, (error) =>
            error ? reject(error) : resolve(),
          );
          const source = fs.createReadStream(entry.sourcePath as string);
          source.on("error", reject);
          source.pipe(sink);
        });
      }
    }
    pack.finalize();
  };
  writeEntries().catch((error: Error) => pack.destroy(error));
  return pack as unknown as Readable;
}
