import { changeStatus, flushOutbox, getOrder, parseChange } from '@/lib/orders';
import { body, fail } from '@/lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

/** GET /api/orders/:id */
export async function GET(_request: Request, { params }: Params) {
  try {
    return Response.json({ order: getOrder((await params).id) });
  } catch (err) {
    return fail(err);
  }
}

/**
 * PATCH /api/orders/:id {status} or {action: 'advance' | 'delay' | 'cancel'}:
 * 404 unknown order, 400 malformed, 409 not allowed from the current status.
 * Stored first, then published to the customer's channel.
 */
export async function PATCH(request: Request, { params }: Params) {
  try {
    const order = getOrder((await params).id);
    const { status, note } = parseChange(await body(request), order);
    const updated = changeStatus(order, status, note);
    const { pending } = await flushOutbox();
    return Response.json({ order: updated, notified: pending === 0 });
  } catch (err) {
    return fail(err);
  }
}
