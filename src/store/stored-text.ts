/**
 * Stored texts that name their own version on a first line, `<version>\n<body>`:
 * a response cache answer (its ETag) and an entity cache value (the lease
 * token that filled it). A reader holding a copy of one version names it, and
 * the store answers "that one" instead of sending the bytes again. JSON
 * bodies never hold a raw newline, so the first one ends the version.
 */

/** Whether a stored text is the one of this version (never for version ''). */
export function carries(stored: Buffer | string, version: string): boolean {
  if (version === '' || stored.length <= version.length) return false;
  const head =
    typeof stored === 'string' ? stored.slice(0, version.length + 1) : stored.toString('latin1', 0, version.length + 1);
  return head === `${version}\n`;
}

/** The version line and the body of a stored text; version '' for a text written without one. */
export function splitVersion(stored: string): { version: string; body: string } {
  const newline = stored.indexOf('\n');
  return newline < 0 ? { version: '', body: stored } : { version: stored.slice(0, newline), body: stored.slice(newline + 1) };
}

/** Lua: `s` without its version line, as splitVersion's body. */
export const STRIP_VERSION_LUA = `local nl = string.find(s, '\\n', 1, true)
if nl then s = string.sub(s, nl + 1) end`;
