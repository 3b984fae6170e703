// Names, caller ID and passwords of the devices behind extensions, shared by PJSIP and IAX2.

import type { Extension, SiteModel, SiteSecrets } from "../model/types";
import { ConfigSyntaxError } from "./writer";

const QUOTING_CHARACTERS = /["<>\\]/;

/** Returns `"Name" <number>`, the caller ID an extension presents on every call. */
export function callerId(extension: Extension): string {
  const match = QUOTING_CHARACTERS.exec(extension.name);
  if (match !== null) {
    throw new ConfigSyntaxError(
      `extension ${extension.number} name "${extension.name}" contains '${match[0]}', which caller ID syntax uses for quoting; remove it.`,
    );
  }
  return `"${extension.name}" <${extension.number}>`;
}

/** Returns the extension number when it can name an endpoint, peer or mailbox: digits only. */
export function deviceName(extension: Extension): string {
  if (!/^[0-9]+$/.test(extension.number)) {
    throw new ConfigSyntaxError(`extension number "${extension.number}" is invalid: expected digits only.`);
  }
  return extension.number;
}

/** Returns the extension's password, or throws when the secrets lack it. */
export function extensionPassword(model: SiteModel, secrets: SiteSecrets, extension: Extension): string {
  const password = secrets.extensionPasswords[extension.number];
  if (password === undefined || password === "") {
    throw new ConfigSyntaxError(
      `Site ${model.site.code} has no password for extension ${extension.number}; set extensionPasswords.${extension.number} or let it be generated.`,
    );
  }
  return password;
}
