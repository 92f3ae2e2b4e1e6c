export default async function globalTeardown() {
  const server = (globalThis as { __MONGO_SERVER__?: { stop(): Promise<unknown> } }).__MONGO_SERVER__;
  await server?.stop();
  await (globalThis as { __STOP_STRIPE_STANDINS__?: () => Promise<void> }).__STOP_STRIPE_STANDINS__?.();
}
