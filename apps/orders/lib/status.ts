/** Order statuses, the moves between them, and the event type each move publishes. */
export const STATUSES = ['placed', 'confirmed', 'shipped', 'out_for_delivery', 'delivered', 'delayed', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

/** The happy path, in order. */
export const PATH: Status[] = ['placed', 'confirmed', 'shipped', 'out_for_delivery', 'delivered'];

export const LABEL: Record<Status, string> = {
  placed: 'Placed',
  confirmed: 'Confirmed',
  shipped: 'Shipped',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  delayed: 'Delayed',
  cancelled: 'Cancelled',
};

export const EVENT: Record<Status, string> = {
  placed: 'order-placed',
  confirmed: 'order-confirmed',
  shipped: 'order-shipped',
  out_for_delivery: 'order-out-for-delivery',
  delivered: 'order-delivered',
  delayed: 'order-delayed',
  cancelled: 'order-cancelled',
};

/** Where an order may go from each status. A delayed order resumes where it was. */
export function allowedNext(status: Status, resumeAt: Status | null): Status[] {
  switch (status) {
    case 'placed':
      return ['confirmed', 'cancelled'];
    case 'confirmed':
      return ['shipped', 'delayed', 'cancelled'];
    case 'shipped':
      return ['out_for_delivery', 'delayed'];
    case 'out_for_delivery':
      return ['delivered', 'delayed'];
    case 'delayed': {
      const i = PATH.indexOf(resumeAt ?? 'confirmed');
      return [PATH[Math.min(i + 1, PATH.length - 1)]!, 'cancelled'];
    }
    case 'delivered':
    case 'cancelled':
      return [];
  }
}

/** The next step on the happy path ("advance"). */
export function advanceFrom(status: Status, resumeAt: Status | null): Status | null {
  return allowedNext(status, resumeAt).find((s) => s !== 'delayed' && s !== 'cancelled') ?? null;
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
