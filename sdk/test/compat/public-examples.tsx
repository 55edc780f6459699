/**
 * An app written the way the public @pushflodev/sdk documents it, importing
 * the package by name. It must compile and run against this package
 * unchanged; only the keys and `baseUrl` come from the environment, as the
 * public docs' own examples do with env vars.
 */
import {
  PushFloClient,
  PushFloError,
  ConnectionError,
  AuthenticationError,
  type ConnectionState,
  type ClientOptions,
  type ServerOptions,
  type Channel,
  type ChannelInput,
  type Message,
  type PublishOptions,
  type PublishResult,
  type Pagination,
  type Subscription,
  type SubscriptionOptions,
} from '@pushflodev/sdk';
import {
  PushFloServer,
  isValidChannelSlug,
  toChannelSlug,
  validateChannelSlug,
  MIN_SLUG_LENGTH,
  MAX_SLUG_LENGTH,
  type SlugValidationResult,
} from '@pushflodev/sdk/server';
import {
  PushFloProvider,
  useChannel,
  usePushFlo,
  PushFloError as ReactPushFloError,
  AuthenticationError as ReactAuthenticationError,
  NetworkError as ReactNetworkError,
  ConnectionError as ReactConnectionError,
} from '@pushflodev/sdk/react';

export interface Env {
  publishKey: string;
  secretKey: string;
  managementKey: string;
  baseUrl: string;
}

/** Browser quick start: connect, subscribe, receive, clean up. */
export async function browserQuickStart(env: Env, channel: string, onReady: () => Promise<void>): Promise<Message[]> {
  const options: ClientOptions = {
    publishKey: env.publishKey,
    baseUrl: env.baseUrl,
    autoConnect: false,
    debug: false,
    connectionTimeout: 30000,
    heartbeatInterval: 25000,
    autoReconnect: true,
    maxReconnectAttempts: 0,
    reconnectDelay: 1000,
    maxReconnectDelay: 30000,
  };
  const client = new PushFloClient(options);
  const states: ConnectionState[] = [];
  client.onConnectionChange((state: ConnectionState) => {
    states.push(state);
  });
  const received: Message[] = [];
  let resolveSubscribed!: () => void;
  const subscribedPromise = new Promise<void>((r) => (resolveSubscribed = r));
  client.on('message', (message) => void message.channel);
  client.on('error', (error) => void error);
  client.on('connected', (info) => void info.clientId);
  client.on('disconnected', (reason) => void reason);

  await client.connect();
  const subscriptionOptions: SubscriptionOptions = {
    onMessage: (message) => {
      received.push(message);
    },
    onError: (error) => void error,
    onSubscribed: () => resolveSubscribed(),
    onUnsubscribed: () => undefined,
  };
  const subscription: Subscription = client.subscribe(channel, subscriptionOptions);
  await subscribedPromise;
  await onReady();
  const deadline = Date.now() + 10_000;
  while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  subscription.unsubscribe();
  client.disconnect();
  if (!states.includes('connected')) throw new Error('never connected');
  return received;
}

/** Server quick start: publish with and without an event type. */
export async function serverQuickStart(env: Env, channel: string): Promise<PublishResult[]> {
  // v1.0.8 has `consoleUrl` for channel management; with Switchyard it is the broker too.
  const serverOptions: ServerOptions = {
    secretKey: env.secretKey,
    baseUrl: env.baseUrl,
    consoleUrl: env.baseUrl,
    timeout: 30000,
    debug: false,
    retryAttempts: 3,
  };
  const pushflo = new PushFloServer(serverOptions);
  const first = await pushflo.publish(channel, { title: 'New Order', orderId: '12345', amount: 99.99 });
  const options: PublishOptions = { eventType: 'order.shipped' };
  const second = await pushflo.publish(channel, { orderId: '123', status: 'shipped' }, options);
  return [first, second];
}

/** Message history, as documented. */
export async function history(env: Env, channel: string): Promise<{ messages: Message[]; pagination: Pagination }> {
  const pushflo = new PushFloServer({ secretKey: env.secretKey, baseUrl: env.baseUrl });
  return pushflo.getMessageHistory(channel, { page: 1, pageSize: 50 });
}

/** Channel management, as documented. */
export async function channelManagement(env: Env, slug: string): Promise<{ created: Channel; listed: number; deleted: boolean }> {
  const pushflo = new PushFloServer({ secretKey: env.managementKey, baseUrl: env.baseUrl });
  const input: ChannelInput = { name: 'Order Updates', slug, description: 'Real-time order status updates', isPrivate: false };
  const created = await pushflo.createChannel(input);
  await pushflo.updateChannel(slug, { description: 'Updated description' });
  const channel = await pushflo.getChannel(slug);
  const { channels, pagination } = await pushflo.listChannels({ page: 1, pageSize: 25 });
  void channels;
  await pushflo.deleteChannel(slug);
  return { created: { ...created, description: channel.description }, listed: pagination.total, deleted: true };
}

/** Slug helpers, from the server entry as the public SDK exports them. */
export function slugs(name: string): { valid: boolean; slug: string; check: SlugValidationResult; bounds: [number, number] } {
  return {
    valid: isValidChannelSlug(name),
    slug: toChannelSlug(name),
    check: validateChannelSlug(name),
    bounds: [MIN_SLUG_LENGTH, MAX_SLUG_LENGTH],
  };
}

/** The error classes, from the react entry: the same classes as the main entry's. */
export function reactErrorsAreTheSame(): boolean {
  return (
    ReactPushFloError === PushFloError &&
    ReactAuthenticationError === AuthenticationError &&
    ReactConnectionError === ConnectionError &&
    typeof ReactNetworkError === 'function'
  );
}

/** Error handling, as documented. */
export async function errorHandling(env: Env): Promise<string> {
  const client = new PushFloClient({ publishKey: 'pub_not_a_real_key', baseUrl: env.baseUrl });
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    if (error instanceof AuthenticationError) return `auth:${error.code}`;
    if (error instanceof ConnectionError) return `connection:${error.retryable}`;
    if (error instanceof PushFloError) return `pushflo:${error.code}`;
    throw error;
  } finally {
    client.destroy();
  }
}

/** React, as documented. */
export function NotificationList({ channel }: { channel: string }) {
  const { messages, connectionState, isSubscribed } = useChannel(channel);
  if (connectionState === 'connecting') {
    return <div>Connecting...</div>;
  }
  return (
    <ul data-subscribed={String(isSubscribed)}>
      {messages.map((msg) => (
        <li key={msg.id}>
          <strong>{String(msg.content.title)}</strong>
          <span>{new Date(msg.timestamp).toLocaleString()}</span>
        </li>
      ))}
    </ul>
  );
}

export function Dashboard() {
  const { connectionState, isConnected, connect, disconnect } = usePushFlo();
  return (
    <div>
      <p>Status: {connectionState}</p>
      <button type="button" onClick={connect} disabled={isConnected}>
        Connect
      </button>
      <button type="button" onClick={disconnect} disabled={!isConnected}>
        Disconnect
      </button>
    </div>
  );
}

export function NotificationBell({ channel }: { channel: string }) {
  const { messages, lastMessage, clearMessages } = useChannel(channel, {
    onMessage: () => undefined,
    maxMessages: 100,
  });
  return (
    <div>
      <span>({messages.length} new)</span>
      {lastMessage && <p>Latest: {String(lastMessage.content.title)}</p>}
      <button type="button" onClick={clearMessages}>
        Clear
      </button>
    </div>
  );
}

export function App({ env, channel }: { env: Env; channel: string }) {
  return (
    <PushFloProvider publishKey={env.publishKey} baseUrl={env.baseUrl} autoConnect={true} debug={false}>
      <Dashboard />
      <NotificationList channel={channel} />
      <NotificationBell channel={channel} />
    </PushFloProvider>
  );
}
