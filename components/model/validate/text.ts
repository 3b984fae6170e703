// Characters that are syntax in Asterisk configuration files and dialplan, and so cannot
// appear in names and labels that the renderers write there.

/** Each forbidden printable character with the reason, as the message states it. */
const SYNTAX_CHARACTERS: ReadonlyMap<string, string> = new Map([
  [";", "starts a comment in Asterisk configuration files"],
  ["[", "opens a section name in Asterisk configuration files"],
  ["]", "closes a section name in Asterisk configuration files"],
  [",", "separates application arguments in the dialplan"],
  ["|", "separated application arguments in older dialplans"],
  ['"', "quotes the caller ID name"],
  ["<", "encloses the number in a caller ID"],
  [">", "encloses the number in a caller ID"],
  ["\\", "escapes the next character in Asterisk configuration files"],
  ["$", "starts a variable reference such as ${EXTEN} in the dialplan"],
]);

/** Maximum length of a display name or option label, in characters. */
export const MAX_NAME_LENGTH = 64;

/**
 * Returns why `text` cannot be written into Asterisk configuration as a display name or
 * label, or undefined when it can. Letters with accents and other printable Unicode are fine.
 */
export function findSyntaxProblem(text: string): string | undefined {
  if (text.trim().length === 0) {
    return "is empty; write a name";
  }
  for (const character of text) {
    const reason = SYNTAX_CHARACTERS.get(character);
    if (reason !== undefined) {
      return `contains "${character}", which ${reason}; remove it or use another character such as "-"`;
    }
    if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(character)) {
      const codePoint = (character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
      return `contains the non-printable character U+${codePoint}, which would break the configuration line; remove it`;
    }
  }
  if (text !== text.trim()) {
    return "starts or ends with a space, which Asterisk drops; remove the space";
  }
  if ([...text].length > MAX_NAME_LENGTH) {
    return `is longer than ${MAX_NAME_LENGTH} characters; shorten it`;
  }
  return undefined;
}
