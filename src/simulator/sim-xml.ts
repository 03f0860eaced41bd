/** XML rendering for requests without `response=json` (the server's default format). */

const escape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function element(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `<${name}>${escape(String(value))}</${name}>`;
  }
  if (typeof value !== 'object' || value === null) return '';
  const inner = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => element(k, v))
    .join('');
  return `<${name}>${inner}</${name}>`;
}

/** `{listvolumesresponse: {...}}` → `<?xml…?><listvolumesresponse cloud-stack-version="…">…</listvolumesresponse>`. */
export function toXml(envelope: Readonly<Record<string, unknown>>): string {
  const [[root, body] = ['errorresponse', {}]] = Object.entries(envelope);
  const inner = Object.entries((body ?? {}) as Record<string, unknown>)
    .map(([k, v]) => element(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><${root} cloud-stack-version="4.19.0-sim">${inner}</${root}>`;
}
