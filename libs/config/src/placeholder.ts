// Values copied from examples and docs; a long value containing one of these is still a placeholder.
const PLACEHOLDER = /change.?me|replace|secret|^dev[-_]|placeholder|example|insecure|password|your.?(jwt|key)|do.?not.?use|^(?<c>.)\k<c>*$/i;

/** Whether a secret is one of the values examples and docs ship with, which production must not run on. */
export const looksLikePlaceholder = (value: string): boolean => PLACEHOLDER.test(value);
