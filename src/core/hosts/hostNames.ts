// What may be a host's name, address or user in the inventory. Names end up on an `ssh` command
// line (the OpenSSH terminal transport) and in every message, so one that could read as an
// option (`-oProxyCommand=…`), carry a user (`a@b`), spaces or control characters is refused
// where the inventory is read, with the line it came from.

const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:+-]*$/;
const MAX_NAME_LENGTH = 253;

/** Why `name` is not a usable host alias, or undefined when it is. */
export function hostNameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.startsWith('-')) return 'starts with "-", which ssh would read as an option';
  if (!HOST_NAME.test(name)) return 'is not a host name (letters, digits, ".", "_", ":", "+" and "-" only)';
  return undefined;
}

/** Why `value` (an address or a user name) cannot be passed to ssh, or undefined when it can. */
export function sshValueProblem(value: string): string | undefined {
  if (value.startsWith('-')) return 'starts with "-", which ssh would read as an option';
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(value)) return 'contains spaces or control characters';
  return undefined;
}
