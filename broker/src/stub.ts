/**
 * The one way to reach a Durable Object by name:
 *
 * @example
 *   await stub(env.CHANNEL, 'orders:user-123').publish(input);
 */
export function stub<T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>, name: string): DurableObjectStub<T> {
  return ns.get(ns.idFromName(name));
}
