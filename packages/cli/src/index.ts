// Public surface of @assent/cli: run assentctl in-process (the e2e suite does).
export { run } from './main.js';
export type { Io } from './io.js';
export { parsePolicyDocuments, PolicyDocumentError } from './policy/policy-document.js';
export type { PolicyIssue } from './policy/policy-document.js';
export { parseDuration } from './policy/duration.js';
