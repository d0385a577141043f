/**
 * Replaces every occurrence of a known secret value in a text with `[redacted]`. Applied to every log line as it
 * is written, so a secret cannot leak even through an error message a library built from a URL or a header.
 * Passwords inside connection URLs (`postgres://user:pw@host`) are masked too. Given a Set, secrets added later
 * (a token obtained at run time) are redacted from then on.
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const source = secrets instanceof Set ? secrets : new Set(secrets);
  let size = -1;
  let pattern: RegExp | undefined;
  const compile = () => {
    const values = [...source].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
    const escaped = values.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = escaped.length > 0 ? new RegExp(escaped.join('|'), 'g') : undefined;
    size = source.size;
  };
  return (text) => {
    if (source.size !== size) compile();
    let out = pattern ? text.replace(pattern, '[redacted]') : text;
    out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"/]+@/gi, '$1[redacted]@');
    return out;
  };
}
