// Spanish (Mexico) text of the prompts the operator does not supply, generated from the model.

import type { DayPart } from "./defaults";
import type { IvrOption } from "./types";

const COMPANY = "Inova";

const SALUTATIONS: Readonly<Record<DayPart, string>> = {
  dia: "Buenos días.",
  tarde: "Buenas tardes.",
  noche: "Buenas noches.",
};

/** Greeting for a part of the day, the welcome, and one sentence per menu option. */
export function greetingText(part: DayPart, options: readonly IvrOption[]): string {
  // Callers hear the options in digit order, whatever the order of the stack file.
  const menu = [...options]
    .sort((left, right) => left.digit.localeCompare(right.digit))
    .map((option) => `Para ${option.label}, marque ${option.digit}.`);
  return [SALUTATIONS[part], `Bienvenido a ${COMPANY}.`, ...menu].join(" ");
}

/**
 * Part of the day in which a band starts, for bands the operator defines: "días" from 06:00,
 * "tardes" from 12:00, "noches" from 19:00, as in the default bands.
 */
export function dayPartAt(time: string): DayPart {
  const hour = Number(time.slice(0, 2));
  if (hour >= 6 && hour < 12) {
    return "dia";
  }
  if (hour >= 12 && hour < 19) {
    return "tarde";
  }
  return "noche";
}

/** Prompt roles of an IVR other than its greetings. */
export type PromptRole = "timeout" | "invalid" | "unavailable" | "goodbye";

export const PROMPT_TEXTS: Readonly<Record<PromptRole, string>> = {
  timeout: "No recibimos ninguna opción. Escuche de nuevo el menú.",
  invalid: "La opción que marcó no es válida. Escuche de nuevo el menú.",
  unavailable: "Lo sentimos, esa sede no está disponible en este momento. Regresamos al menú principal.",
  goodbye: `Gracias por llamar a ${COMPANY}. Hasta luego.`,
};
