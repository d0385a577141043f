/**
 * Replaces every occurrence of a known secret value in a text with `[redacted]`. Applied to every log line as it
 * is written, so a secret cannot leak even through an error message a library built from a URL or a header.
 * Passwords inside connection URLs (`postgres://user:pw@host`) are masked too.
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const values = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const escaped = values.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = escaped.length > 0 ? new RegExp(escaped.join('|'), 'g') : undefined;
  return (text) => {
    let out = pattern ? text.replace(pattern, '[redacted]') : text;
    out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"/]+@/gi, '$1[redacted]@');
    return out;
  };
}
