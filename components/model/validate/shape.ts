// Structural check of the raw configuration: required keys, value types, allowed values,
// unknown keys (a typo guard with suggestions) and options that need exactly one target.

import type { ValidationProblem } from "../errors";
import { isMapping } from "../guards";
import { childPath, configKey } from "../paths";
import { CONFIG_NAMESPACE } from "../raw";
import { didYouMean } from "../suggest";
import { RAW_CONFIG_SCHEMA, type FieldSpec, type ObjectSpec } from "./schema";

/** Lists every structural problem of the raw configuration; an empty list means the loader can build a model. */
export function validateRawShape(raw: unknown): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (!isMapping(raw)) {
    problems.push({
      path: CONFIG_NAMESPACE,
      code: "E_TYPE",
      message: `the configuration ${describeValue(raw, false)} but must be a mapping of keys such as site and extensions.`,
    });
    return problems;
  }
  checkFields(raw, RAW_CONFIG_SCHEMA, configKey, problems);
  return problems;
}

function checkFields(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, FieldSpec>>,
  pathOf: (key: string) => string,
  problems: ValidationProblem[],
): void {
  const known = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const suggestion = didYouMean(key, known);
      const fix =
        suggestion === ""
          ? `; remove it or use one of the accepted keys: ${known.join(", ")}.`
          : `.${suggestion} Otherwise remove it; the accepted keys are ${known.join(", ")}.`;
      problems.push({ path: pathOf(key), code: "E_UNKNOWN_KEY", message: `unknown key "${key}"${fix}` });
    }
  }

  for (const [key, spec] of Object.entries(fields)) {
    const field = value[key];
    if (field === undefined || field === null) {
      if (spec.required) {
        const example = spec.example === undefined ? "" : `, e.g. ${spec.example}`;
        problems.push({ path: pathOf(key), code: "E_REQUIRED", message: `missing required setting; add it${example}.` });
      }
      continue;
    }
    checkValue(field, spec, pathOf(key), problems, spec.kind === "string" && spec.secret === true);
  }
}

function checkValue(value: unknown, spec: FieldSpec, path: string, problems: ValidationProblem[], secret: boolean): void {
  const typeProblem = (expected: string, fix: string): void => {
    problems.push({ path, code: "E_TYPE", message: `${describeValue(value, secret)} but must be ${expected}; ${fix}.` });
  };
  const example = spec.example === undefined ? "" : `, e.g. ${spec.example}`;

  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") {
        const quoted = !secret && (typeof value === "number" || typeof value === "boolean");
        typeProblem("a string", quoted ? `quote it: "${String(value)}"` : `write it as text in quotes${example}`);
      } else if (spec.values !== undefined && !spec.values.includes(value)) {
        problems.push({
          path,
          code: "E_INVALID_VALUE",
          message: `"${value}" is not allowed.${didYouMean(value, spec.values)} Use one of: ${spec.values.join(", ")}.`,
        });
      }
      return;

    case "integer":
      if (typeof value === "string" && /^-?\d+$/.test(value)) {
        typeProblem("a whole number", "remove the quotes");
      } else if (typeof value !== "number" || !Number.isInteger(value)) {
        typeProblem("a whole number", `write digits without quotes${example}`);
      }
      return;

    case "boolean":
      if (typeof value !== "boolean") {
        typeProblem("true or false", "write true or false without quotes");
      }
      return;

    case "object":
      if (!isMapping(value)) {
        typeProblem("a mapping", `write it as keys and values${example}`);
        return;
      }
      checkFields(value, spec.fields, (key) => childPath(path, key), problems);
      checkExactlyOne(value, spec, path, problems);
      return;

    case "array":
      if (!Array.isArray(value)) {
        typeProblem("a list", `write it in brackets or as "- " items${example}`);
        return;
      }
      value.forEach((item, index) => checkValue(item, spec.items, childPath(path, index), problems, secret));
      return;

    case "map":
      if (!isMapping(value)) {
        typeProblem("a mapping", `write it as keys and values${example}`);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        checkValue(item, spec.values, childPath(path, key), problems, secret || spec.secret === true);
      }
      return;
  }
}

function checkExactlyOne(value: Record<string, unknown>, spec: ObjectSpec, path: string, problems: ValidationProblem[]): void {
  if (spec.exactlyOne === undefined) {
    return;
  }
  const { keys, code } = spec.exactlyOne;
  const list = keys.join(", ");
  const present = keys.filter((key) => value[key] !== undefined && value[key] !== null);
  if (present.length === 0) {
    problems.push({ path, code, message: `sets none of ${list}; set exactly one of them.` });
  } else if (present.length > 1) {
    const named = present.map((key) => `"${key}"`).join(" and ");
    problems.push({ path, code, message: `sets ${named}; keep exactly one of ${list}.` });
  }
  // A voice only applies to text spoken by the speech synthesizer.
  if (code === "E_RECORDING_SOURCE" && value.voice !== undefined && value.voice !== null && present.includes("file")) {
    problems.push({
      path: childPath(path, "voice"),
      code,
      message: "voice applies only to a recording given as text; remove voice or replace file with text.",
    });
  }
}

/** Describes a value for a message, e.g. `the number 100`; for a secret, only its type. */
export function describeValue(value: unknown, secret: boolean): string {
  if (Array.isArray(value)) {
    return "is a list";
  }
  if (value === null || value === undefined) {
    return "is empty";
  }
  switch (typeof value) {
    case "string":
      return secret ? "is a string" : `is the string ${JSON.stringify(truncate(value))}`;
    case "number":
      return secret ? "is a number" : `is the number ${value}`;
    case "boolean":
      return secret ? "is a boolean" : `is the boolean ${value}`;
    case "object":
      return "is a mapping";
    default:
      return `is a ${typeof value}`;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
