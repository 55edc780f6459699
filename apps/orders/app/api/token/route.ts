import { customerChannel, pushflo } from '@/lib/pushflo';
import { userExists } from '@/lib/orders';
import { fail } from '@/lib/http';

export const dynamic = 'force-dynamic';

/**
 * POST /api/token?userId=1: a short-lived token that lets this browser read
 * its own order channel and nothing else. Dev-grade identity: the user id is
 * taken from the query; a real app takes it from its session.
 */
export async function POST(request: Request) {
  try {
    const userId = new URL(request.url).searchParams.get('userId') ?? '';
    if (!userExists(userId))
      return Response.json({ error: `customer '${userId}' does not exist`, code: 'USER_NOT_FOUND' }, { status: 404 });
    const token = await pushflo.createToken({
      clientId: `user-${userId}`,
      capabilities: { [customerChannel(userId)]: ['subscribe', 'history'] },
      ttlSeconds: 3600,
    });
    return Response.json({ token });
  } catch (err) {
    return fail(err);
  }
}
