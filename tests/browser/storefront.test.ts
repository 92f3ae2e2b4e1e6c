import { createProduct } from '../helpers/builders';
import {
  accessibilityProblems,
  apiLogin,
  DESKTOP,
  ordersOf,
  PHONE,
  screenshot,
  signIn,
  useBrowserShop,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';

/**
 * The storefront in a real Chromium beyond buying: what an admin or buyer wrote is shown as text and never
 * runs, every view passes axe-core without serious or critical violations, and the run keeps screenshots
 * of the catalogue and the checkout at a desktop and a phone width (tests/browser/output).
 */
useTestDatabase();
jest.setTimeout(90_000);

// The tests open their tabs themselves: the first after making its product, the second one a viewport.
const ctx = useBrowserShop({ openPage: false });

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_DESCRIPTION =
  '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 1"><b onmouseover=alert(2)>bold</b>';

/** No element the data could have made, no script run, no dialog, and the data shown literally. */
async function expectShownAsText(texts: string[]) {
  const injected = await ctx.page.evaluate<{ flag: unknown; images: number; text: string }>(
    `({ flag: window.__xss ?? null, images: document.querySelectorAll('main img, main script, main b').length, text: document.querySelector('main').textContent })`,
  );
  expect({
    flag: injected.flag,
    elements: injected.images,
    dialogs: ctx.watched.dialogs,
    csp: ctx.watched.cspViolations,
  }).toEqual({
    flag: null,
    elements: 0,
    dialogs: [],
    csp: [],
  });
  for (const text of texts) expect(injected.text).toContain(text);
}

describe('what people wrote is text', () => {
  it('when a product is named <img src=x onerror=alert(1)> with a scripted description, then the catalogue, cart and order show it literally and run nothing', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, {
      name: HOSTILE_NAME,
      description: HOSTILE_DESCRIPTION,
      stock: 3,
    });
    await ctx.open();
    const buyer = await signIn(ctx);

    await ctx.page.goto(`${ctx.shop.url}/#/`);
    await ctx.page.getByRole('heading', { name: HOSTILE_NAME }).waitFor();
    await ctx.page.getByRole('heading', { name: HOSTILE_NAME }).hover();
    await expectShownAsText([HOSTILE_NAME, HOSTILE_DESCRIPTION]);
    await ctx.page.getByRole('button', { name: `Add ${HOSTILE_NAME} to cart` }).click();
    await ctx.page.getByRole('link', { name: 'Cart (1)' }).click();
    await ctx.page.getByRole('row', { name: new RegExp(`^${HOSTILE_NAME.replace(/[()]/g, '\\$&')}`) }).waitFor();
    await expectShownAsText([HOSTILE_NAME]);
    await ctx.page.getByRole('link', { name: 'Checkout' }).click();
    await ctx.page.getByRole('button', { name: 'Place order' }).click();
    await ctx.page.getByRole('heading', { name: 'Pay for this order' }).waitFor();
    await expectShownAsText([HOSTILE_NAME]);

    const [order] = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(order!.items).toEqual([expect.objectContaining({ productId: product.id, name: HOSTILE_NAME })]);
    expect(ctx.watched.problems).toEqual([]);
  });
});

describe('accessibility (axe-core) and screenshots', () => {
  it('when every view is opened, at a desktop and a phone width, then axe finds no serious or critical violation', async () => {
    await createProduct(ctx.shop.app, ctx.admin, {
      name: 'Wireless Mouse',
      description: 'A high-precision wireless mouse.',
      price: 25.99,
      stock: 100,
    });
    await createProduct(ctx.shop.app, ctx.admin, {
      name: 'Laptop Stand',
      description: 'Folding aluminium stand.',
      price: 24.99,
      stock: 0,
    });
    await createProduct(ctx.shop.app, ctx.admin, {
      name: 'USB-C Hub',
      description: 'HDMI, two USB-A ports, SD card reader.',
      price: 29.99,
      stock: 200,
    });
    const problems: string[] = [];
    const check = async (view: string) => {
      for (const problem of await accessibilityProblems(ctx.page)) problems.push(`${view}: ${problem}`);
    };

    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await ctx.open(viewport);
      await ctx.page.goto(`${ctx.shop.url}/#/`);
      await ctx.page.getByRole('heading', { name: 'USB-C Hub' }).waitFor();
      await check(`catalogue (${width})`);
      await screenshot(ctx.page, `catalogue-${width}`);
      await ctx.page.goto(`${ctx.shop.url}/#/signup`);
      await ctx.page.getByLabel('Name').waitFor();
      await ctx.page.getByRole('button', { name: 'Create account' }).click();
      await ctx.page.getByText('Please fill out this field.').waitFor();
      await check(`sign up with errors (${width})`);
      await signIn(ctx);
      await check(`sign in (${width})`);
      await ctx.page.goto(`${ctx.shop.url}/#/`);
      await ctx.page.getByRole('button', { name: 'Add Wireless Mouse to cart' }).click();
      await ctx.page.getByRole('button', { name: 'Add USB-C Hub to cart' }).click();
      await ctx.page.getByRole('link', { name: 'Cart (2)' }).click();
      await ctx.page.getByRole('row', { name: /USB-C Hub/ }).waitFor();
      await check(`cart (${width})`);
      await ctx.page.getByRole('link', { name: 'Checkout' }).click();
      await ctx.page.getByRole('button', { name: 'Place order' }).waitFor();
      await check(`checkout (${width})`);
      await screenshot(ctx.page, `checkout-${width}`);
      await ctx.page.getByRole('button', { name: 'Place order' }).click();
      await ctx.page.getByRole('heading', { name: 'Pay for this order' }).waitFor();
      await ctx.page.locator('#order-status [data-status="pending"]').waitFor();
      await check(`order to pay (${width})`);
      await screenshot(ctx.page, `checkout-pay-${width}`);
      await ctx.page.getByLabel(/Declined: expired card/).check();
      await ctx.page.getByRole('button', { name: /^Pay / }).click();
      await ctx.page.locator('#order-status [data-status="failed"]').waitFor();
      await check(`order after a decline (${width})`);
      await ctx.page.getByRole('link', { name: 'My orders' }).click();
      await ctx.page.getByRole('link', { name: /^Order / }).waitFor();
      await check(`my orders (${width})`);
      expect(ctx.watched.problems).toEqual([]);
      await ctx.page.close();
    }

    expect(problems).toEqual([]);
  });
});
