import { measureStorefront, STOREFRONT_BUDGET_BYTES } from '../../scripts/storefront-size';

describe('the storefront size budget', () => {
  it('when its own HTML, JavaScript and CSS are gzipped file by file, then together they stay within 40 KB', () => {
    const size = measureStorefront();

    expect(size.files.map((f) => f.file)).toEqual(expect.arrayContaining(['index.html', 'app.css', 'js/main.js']));
    expect({ gzipped: size.gzipped, withinBudget: size.gzipped <= STOREFRONT_BUDGET_BYTES }).toEqual({
      gzipped: size.gzipped,
      withinBudget: true,
    });
  });
});
