import { AccountTokenModel } from './account-token.model';
import { AdminGuardModel } from './admin-guard.model';
import { AuditEntryModel } from './audit-entry.model';
import { IdempotencyKeyModel } from './idempotency-key.model';
import { MailModel } from './mail.model';
import { OrderModel } from './order.model';
import { ProductModel } from './product.model';
import { RateLimitCounterModel } from './rate-limit-counter.model';
import { RefreshTokenModel } from './refresh-token.model';
import { UserModel } from './user.model';
import { WebhookEventModel } from './webhook-event.model';

/** Every model, so start-up and tests can create all indexes before taking traffic. */
export const ALL_MODELS = [
  UserModel,
  ProductModel,
  OrderModel,
  IdempotencyKeyModel,
  WebhookEventModel,
  RateLimitCounterModel,
  RefreshTokenModel,
  AccountTokenModel,
  AuditEntryModel,
  AdminGuardModel,
  MailModel,
] as const;
