import { database } from '@/lib/db';
import { fail } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** GET /api/health: 200 once the app is up and its database is open (what the e2e harness waits for, like every app). */
export async function GET() {
  try {
    database();
    return Response.json({ status: 'ok' });
  } catch (err) {
    return fail(err);
  }
}
