import { createOrder, flushOutbox, listOrders, parseNewOrder } from '@/lib/orders';
import { body, fail } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** GET /api/orders[?userId=1]: orders, newest first. */
export async function GET(request: Request) {
  try {
    await flushOutbox(); // anything an earlier failure left unpublished goes out now
    const userId = new URL(request.url).searchParams.get('userId') ?? undefined;
    return Response.json({ orders: listOrders(userId) });
  } catch (err) {
    return fail(err);
  }
}

/** POST /api/orders {userId, item, totalCents}: stored, then published as `order-placed`. */
export async function POST(request: Request) {
  try {
    const order = createOrder(parseNewOrder(await body(request)));
    const { pending } = await flushOutbox();
    return Response.json({ order, notified: pending === 0 }, { status: 201 });
  } catch (err) {
    return fail(err);
  }
}
