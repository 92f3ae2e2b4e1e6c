/**
 * HTML for mail bodies where escaping is the default: every value put into an `html` template is escaped,
 * unless it is itself the result of `html` (already safe). So a name, an email address or a product name
 * someone typed can never become markup, and nothing has to remember to escape it.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

type Interpolated = SafeHtml | string | number | ReadonlyArray<SafeHtml | string | number>;

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as ReadonlyArray<SafeHtml | string | number>).map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
