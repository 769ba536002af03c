import { ParameterError } from './parameter-error.js';

// C0 controls and DEL. NUL is what PostgreSQL refuses in text (SQLSTATE
// 22021); the others are in no Kubernetes name, label, SKU or date either,
// so a value holding one is a mistake or a probe, never a real query.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks every string value of a query string before it is parsed: a value
 * with a control character gets a ParameterError naming its parameter, so
 * no such value ever reaches SQL. Arrays (a repeated parameter) are left to
 * schema validation, which refuses them by name.
 */
export function checkTextParams(params: object): void {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    const at = value.search(CONTROL);
    if (at >= 0) {
      const code = value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
      throw new ParameterError(name, `holds the control character U+${code} at position ${at + 1}; no value may contain one`);
    }
  }
}
