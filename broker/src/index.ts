/**
 * Switchyard broker: a PushFlo-compatible real-time broker on Cloudflare
 * Workers. See ARCHITECTURE.md for how the pieces fit.
 */
import { app } from './app';

export { ChannelObject } from './channel/channel-object';
export { ShardObject } from './connection/shard-object';
export { RegistryObject } from './registry/registry-object';
export { RateLimiterObject } from './limits/rate-limiter-object';
export { StatsObject } from './stats/stats-object';
export { WebhookObject } from './webhooks/webhook-object';

export default app;
