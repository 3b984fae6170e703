// Property paths in the stack configuration, written as `pulumi config set --path` reads them.

import { CONFIG_NAMESPACE } from "./raw";

/** Path of a top-level key, e.g. `inova-pbx:extensions`. */
export function configKey(key: string): string {
  return `${CONFIG_NAMESPACE}:${key}`;
}

/** Path of an array element (`[2]`) or an object property (`.name`, or `["100"]` when the key is not a plain word). */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") {
    return `${parent}[${key}]`;
  }
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
    return `${parent}.${key}`;
  }
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Path of a nested property given as successive keys, e.g. `entryPath("ivrs", 0, "options", 2)`. */
export function entryPath(key: string, ...children: (string | number)[]): string {
  return children.reduce<string>((path, child) => childPath(path, child), configKey(key));
}
