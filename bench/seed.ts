import { Types } from 'mongoose';
import { ProductModel } from '../src/models/product.model';
import { pricing } from '../src/services/catalogue.service';

/** `count` products in four currencies, one second apart in creation time, each with `stock` units. */
export async function seedProducts(count: number, stock = 1_000_000): Promise<Types.ObjectId[]> {
  const ids: Types.ObjectId[] = [];
  const currencies = ['USD', 'EUR', 'GBP', 'JPY'];
  const start = Date.now() - count * 1000;
  for (let offset = 0; offset < count; offset += 5000) {
    const batch = Array.from({ length: Math.min(5000, count - offset) }, (_, i) => {
      const n = offset + i;
      const currency = currencies[n % currencies.length]!;
      const price = currency === 'JPY' ? 100 + (n % 9000) : (100 + (n % 5000)) / 100;
      const at = new Date(start + n * 1000);
      return {
        _id: new Types.ObjectId(),
        name: `Product ${n}`,
        description: 'Benchmark product',
        stock,
        ...pricing(price, currency),
        createdAt: at,
        updatedAt: at,
      };
    });
    await ProductModel.insertMany(batch, { ordered: false });
    ids.push(...batch.map((product) => product._id));
  }
  return ids;
}
