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
 * Returns `sha256:<hex>` over the sorted entry paths, types, permission bits
 * and file contents (symlink targets for links). Modification times are left
 * out, so touching a file does not change the hash.
 */
export function hashBuildContext(context: BuildContext): string {
  const crypto: typeof import("crypto") = require("crypto");
  const fs: typeof import("fs") = require("fs");
  const hash = crypto.createHash("sha256");
  hash.update(`dockerfile ${JSON.stringify(context.dockerfilePath)}\n`);
  for (const entry of context.entries) {
    hash.update(`${entry.type} ${JSON.stringify(entry.path)} ${entry.mode.toString(8)} `);
    if (entry.type === "file") {
      const content = entry.content ?? fs.readFileSync(entry.sourcePath as string);
      hash.update(crypto.createHash("sha256").update(content).digest("hex"));
    } else if (entry.type === "symlink") {
      hash.update(JSON.stringify(entry.linkTarget));
    }
    hash.update("\n");
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Computes the context hash of `contextDir` in one call. */
export function hashContextDirectory(contextDir: string, dockerfile?: string): string {
  return hashBuildContext(collectBuildContext(contextDir, dockerfile));
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
