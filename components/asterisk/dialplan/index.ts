// Dialplan model, checks and rendering.

export * from "./arguments";
export * from "./model";
export { applicationTargets, formatTarget, renderApplication } from "./applications";
export { extensionName, isPattern, matchesExtension } from "./patterns";
export { steps } from "./build";
export { renderDialplan } from "./render";
export { DialplanValidationError, validateDialplan } from "./validate";
