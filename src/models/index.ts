import { ProductModel } from './product.model';
import { UserModel } from './user.model';

/** Every model, so start-up and tests can create all indexes before taking traffic. */
export const ALL_MODELS = [UserModel, ProductModel] as const;
