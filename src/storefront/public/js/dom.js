// @ts-check
/**
 * Building the page from data without ever parsing data as HTML: text becomes text nodes, attributes go
 * through setAttribute, listeners through addEventListener. (ESLint forbids innerHTML and its relatives in
 * the storefront, and the Content-Security-Policy forbids inline scripts, styles and handlers.)
 */

/** @typedef {string | number | Node | null | undefined | false} Child */
/** @typedef {string | number | boolean | undefined | ((event: Event) => void)} Prop */

/**
 * `h('button', { type: 'button', onclick: pay }, 'Pay ', amount)`: props whose name starts with `on` and
 * whose value is a function are listeners; `true` is an empty attribute, `false` and `undefined` none.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, Prop>} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {Array<Child | Child[]>} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** @param {string} id @returns {HTMLElement} */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

/**
 * Says `message` to screen readers through the page's polite live region (and keeps it there as text).
 * Emptied first so the same message twice is announced twice.
 * @param {string} message
 */
export function announce(message) {
  const region = byId('announcer');
  region.textContent = '';
  window.setTimeout(() => (region.textContent = message), 50);
}

/**
 * An alert region, empty until an error is shown in it; role=alert makes screen readers read it at once.
 */
export function alertRegion() {
  const region = h('div', { class: 'alert', role: 'alert' });
  return Object.assign(region, {
    /** @param {unknown} error */
    show(error) {
      const { message, lines } = describeError(error);
      region.replaceChildren(h('p', {}, message));
      if (lines.length > 0) region.append(h('ul', {}, ...lines.map((line) => h('li', {}, line))));
    },
    clear: () => region.replaceChildren(),
  });
}

/**
 * What a buyer is told about a failure: the API's message, and each detail's message unless it only
 * repeats it. Anything that is not an API answer (the network, a bug) is said as such.
 * @param {unknown} error
 * @returns {{ message: string, lines: string[] }}
 */
export function describeError(error) {
  if (error instanceof Error && error.name === 'ApiError') {
    const details = /** @type {{ details?: Array<{ message: string, path?: string }> }} */ (error).details ?? [];
    const lines = details
      .filter((d) => d.message !== error.message)
      .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
    return { message: error.message, lines };
  }
  if (error instanceof TypeError)
    return { message: 'The shop cannot be reached. Check your connection and try again.', lines: [] };
  return { message: error instanceof Error ? error.message : 'Something went wrong.', lines: [] };
}

/**
 * A labelled form field: the label, the input, and an error message tied to it with aria-describedby.
 * @param {{ label: string, name: string, type?: string, autocomplete?: string, required?: boolean, value?: string, min?: number, max?: number, minlength?: number }} field
 */
export function field(field) {
  const id = `field-${field.name}`;
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  const input = h('input', {
    id,
    name: field.name,
    type: field.type ?? 'text',
    autocomplete: field.autocomplete,
    required: field.required ?? true,
    value: field.value,
    min: field.min,
    max: field.max,
    minlength: field.minlength,
    'aria-describedby': `${id}-error`,
  });
  return { element: h('p', { class: 'field' }, h('label', { for: id }, field.label), input, error), input, error };
}

/**
 * Marks the fields an API error names (details[].path) as invalid, with their messages; clears the rest.
 * @param {Array<ReturnType<typeof field>>} fields
 * @param {unknown} error
 */
export function markFields(fields, error) {
  const details =
    error instanceof Error
      ? (/** @type {{ details?: Array<{ message: string, path?: string }> }} */ (error).details ?? [])
      : [];
  for (const { input, error: message } of fields) {
    const detail = details.find((d) => d.path === input.name);
    message.textContent = detail ? detail.message : '';
    if (detail) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

/** @type {Map<string, Intl.NumberFormat>} */
const moneyFormats = new Map();

/**
 * `25.99 USD` as the buyer's locale writes it.
 * @param {number} amount in major units, as the API gives prices
 * @param {string} currency
 */
export function money(amount, currency) {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}

/**
 * The sum of prices times quantities, added in whole minor units so 0.1 + 0.2 stays 0.30.
 * @param {Array<{ price: number, quantity: number }>} lines
 * @param {string} currency
 */
export function total(lines, currency) {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10 ** digits;
  return lines.reduce((sum, line) => sum + Math.round(line.price * scale) * line.quantity, 0) / scale;
}

/** @param {string} iso */
export function dateTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** @param {number} ms @param {AbortSignal} [signal] */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = window.setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      window.clearTimeout(timer);
      resolve(undefined);
    });
  });
}
