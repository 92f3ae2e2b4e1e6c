// @ts-check
/** Sign in and sign up. Both end signed in (the token kept by store.js) and go on to `next` when given. */
import { shop } from '../api.js';
import { alertRegion, announce, field, h, markFields } from '../dom.js';
import { session } from '../store.js';

/** @param {import('../main.js').ViewContext} view */
export function signInView(view) {
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username' });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
  accountForm(view, {
    title: 'Sign in',
    fields: [email, password],
    submit: 'Sign in',
    other: h('p', {}, 'New here? ', h('a', { href: `#/signup${view.nextQuery()}` }, 'Create an account')),
    run: () => signIn(email.input.value, password.input.value),
  });
}

/** @param {import('../main.js').ViewContext} view */
export function signUpView(view) {
  const name = field({ label: 'Name', name: 'name', autocomplete: 'name' });
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email' });
  const password = field({
    label: 'Password (at least 8 characters)',
    name: 'password',
    type: 'password',
    autocomplete: 'new-password',
    minlength: 8,
  });
  accountForm(view, {
    title: 'Create an account',
    fields: [name, email, password],
    submit: 'Create account',
    other: h('p', {}, 'Already have an account? ', h('a', { href: `#/signin${view.nextQuery()}` }, 'Sign in')),
    run: async () => {
      await shop.register({ name: name.input.value, email: email.input.value, password: password.input.value });
      await signIn(email.input.value, password.input.value);
    },
  });
}

/** @param {string} email @param {string} password */
async function signIn(email, password) {
  const token = await shop.login({ email, password });
  session.start(token, await shop.profile(token));
}

/**
 * @param {import('../main.js').ViewContext} view
 * @param {{ title: string, fields: Array<ReturnType<typeof field>>, submit: string, other: HTMLElement, run: () => Promise<void> }} form
 */
function accountForm(view, form) {
  const alert = alertRegion();
  const button = h('button', { type: 'submit' }, form.submit);
  const element = h(
    'form',
    {
      class: 'account',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        void submit();
      },
    },
    ...form.fields.map((f) => f.element),
    button,
  );
  async function submit() {
    alert.clear();
    markFields(form.fields, undefined);
    const invalid = form.fields.find((f) => !f.input.checkValidity());
    if (invalid) {
      invalid.error.textContent = invalid.input.validationMessage;
      invalid.input.setAttribute('aria-invalid', 'true');
      return invalid.input.focus();
    }
    button.disabled = true;
    try {
      await form.run();
      announce(`Signed in as ${session.profile()?.name ?? ''}.`);
      view.navigate(view.next() ?? '#/');
    } catch (error) {
      alert.show(error);
      markFields(form.fields, error);
      form.fields.find((f) => f.input.getAttribute('aria-invalid') === 'true')?.input.focus();
    } finally {
      button.disabled = false;
    }
  }
  view.show(form.title, alert, element, form.other);
}
