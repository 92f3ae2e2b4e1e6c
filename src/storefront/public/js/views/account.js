// @ts-check
/**
 * Sign in and sign up, both ending signed in (the token kept by store.js) and going on to `next` when given; and
 * the pages the account mails link to: a forgotten password (#/forgot-password), the reset link
 * (#/reset-password?token=...) and the email verification link (#/verify-email?token=...). The tokens travel in
 * the hash, which the browser never sends to a server, and a spent one is taken out of the address bar.
 */
import { shop } from '../api.js';
import { alertRegion, announce, describeError, field, h, markFields } from '../dom.js';
import { session } from '../store.js';

/** @param {import('../main.js').ViewContext} view */
export function signInView(view) {
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username' });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
  accountForm(view, {
    title: 'Sign in',
    fields: [email, password],
    submit: 'Sign in',
    other: h(
      'p',
      {},
      'New here? ',
      h('a', { href: `#/signup${view.nextQuery()}` }, 'Create an account'),
      ' · ',
      h('a', { href: '#/forgot-password' }, 'Forgot your password?'),
    ),
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

/** Asks for a reset mail: the page says the same whether or not an account has the address, as the API does. @param {import('../main.js').ViewContext} view */
export function forgotPasswordView(view) {
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email' });
  accountForm(view, {
    title: 'Forgot your password?',
    fields: [email],
    submit: 'Send me a reset link',
    other: h('p', {}, h('a', { href: '#/signin' }, 'Back to sign in')),
    run: () => shop.forgotPassword(email.input.value),
    done: () =>
      view
        .show(
          'Check your mail',
          h(
            'p',
            {},
            `If an account has the address ${email.input.value}, a mail with a link to set a new password is on its way.`,
          ),
          h('p', {}, 'The link works once, for a limited time.'),
        )
        .focus(),
  });
}

/** The reset mail's link: a new password for the account, which ends every session of it. @param {import('../main.js').ViewContext} view */
export function resetPasswordView(view) {
  const token = view.query.get('token');
  const askAgain = h(
    'p',
    {},
    'Link expired or already used? ',
    h('a', { href: '#/forgot-password' }, 'Ask for a new one'),
  );
  if (!token) return void view.show('Set a new password', h('p', {}, 'This link has no reset token.'), askAgain);
  const password = field({
    label: 'New password (at least 8 characters)',
    name: 'password',
    type: 'password',
    autocomplete: 'new-password',
    minlength: 8,
  });
  accountForm(view, {
    title: 'Set a new password',
    fields: [password],
    submit: 'Set password',
    other: askAgain,
    run: () => shop.resetPassword(token, password.input.value),
    done: () => {
      history.replaceState(null, '', '#/reset-password');
      view
        .show(
          'Your password is set',
          h('p', {}, 'Every session of your account has ended.'),
          h('p', {}, h('a', { class: 'button', href: '#/signin' }, 'Sign in with the new password')),
        )
        .focus();
    },
  });
}

/**
 * The verification mail's link, confirmed as the page opens (no sign-in needed: it may be opened on another
 * device). Without a token, or when it does not work, a signed-in buyer can ask for a new mail.
 * @param {import('../main.js').ViewContext} view
 */
export async function verifyEmailView(view) {
  const token = view.query.get('token');
  if (token) {
    view.show('Confirming your email address', h('p', {}, 'One moment…'));
    try {
      await shop.verifyEmail(token, view.signal);
      history.replaceState(null, '', '#/verify-email');
      view.show(
        'Your email address is confirmed',
        h('p', {}, 'Thank you.'),
        h('p', {}, h('a', { href: '#/' }, 'Continue shopping')),
      );
      return;
    } catch (error) {
      if (view.signal.aborted) return;
      const alert = alertRegion();
      alert.show(error);
      view.show('Your email address is not confirmed', alert, newVerificationMail(view));
      return;
    }
  }
  view.show(
    'Confirm your email address',
    h('p', {}, 'Follow the link in the mail we sent you when you signed up.'),
    newVerificationMail(view),
  );
}

/** A signed-in buyer's way to another verification mail (the API limits how many). @param {import('../main.js').ViewContext} view */
function newVerificationMail(view) {
  if (!session.token()) {
    return h(
      'p',
      {},
      h('a', { href: `#/signin?next=${encodeURIComponent('/verify-email')}` }, 'Sign in'),
      ' to ask for a new link.',
    );
  }
  const status = h('p', { role: 'status' });
  const button = h('button', { type: 'button' }, 'Send me a new link');
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = '';
    shop
      .requestVerificationMail()
      .then(() => (status.textContent = `A new link is on its way to ${session.profile()?.email ?? 'your address'}.`))
      .catch((/** @type {unknown} */ error) => (status.textContent = describeError(error).message))
      .finally(() => (button.disabled = view.signal.aborted));
  });
  return h('div', {}, h('p', {}, button), status);
}

/** @param {string} email @param {string} password */
async function signIn(email, password) {
  const token = await shop.login({ email, password });
  session.start(token, await shop.profile(token));
}

/**
 * `done` says what follows success (by default: signed in, announced, on to `next`).
 * @param {import('../main.js').ViewContext} view
 * @param {{ title: string, fields: Array<ReturnType<typeof field>>, submit: string, other: HTMLElement, run: () => Promise<unknown>, done?: () => void }} form
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
      if (form.done) return form.done();
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
