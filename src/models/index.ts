import { IdempotencyKeyModel } from './idempotency-key.model';
import { OrderModel } from './order.model';
import { ProductModel } from './product.model';
import { RateLimitCounterModel } from './rate-limit-counter.model';
import { UserModel } from './user.model';
import { WebhookEventModel } from './webhook-event.model';

/** Every model, so start-up and tests can create all indexes before taking traffic. */
export const ALL_MODELS = [UserModel, ProductModel, OrderModel, IdempotencyKeyModel, WebhookEventModel, RateLimitCounterModel] as const;
