/**
 * One company's live feed: `useChannel` for the stream, plus a backfill from
 * history (through the app's /api/history) when the view opens and after
 * every reconnect or gap. Points and alerts are merged by seq (SeqWindow), so
 * the series has no hole where the socket was down and no duplicate point.
 * Renders are coalesced to one per animation frame, so 10+ updates a second
 * stay smooth.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useChannel } from '@pushflodev/sdk/react';
import type { Message } from '@pushflodev/sdk';
import {
  channelFor,
  EVENT_ALERT,
  EVENT_METRICS,
  type Alert,
  type HistoryAnswer,
  type MetricsUpdate,
  type SeqPoint,
} from '../shared/types.ts';
import { SeqWindow } from './series.ts';

export interface Feed {
  channel: string;
  points: Array<SeqPoint<MetricsUpdate>>;
  /** Newest first. */
  alerts: Array<SeqPoint<Alert>>;
  isSubscribed: boolean;
  backfills: number;
}

/** What the e2e specs read: the exact series and alerts each dashboard holds. */
export interface DashboardProbe {
  company: string;
  points: Array<SeqPoint<MetricsUpdate>>;
  alerts: Array<SeqPoint<Alert>>;
  backfills: number;
}

declare global {
  interface Window {
    __dashboard?: DashboardProbe;
  }
}

export function useFeed(companyId: string, windowPoints: number): Feed {
  const channel = channelFor(companyId);
  const store = useRef<{ points: SeqWindow<MetricsUpdate>; alerts: SeqWindow<Alert> } | null>(null);
  store.current ??= { points: new SeqWindow(windowPoints), alerts: new SeqWindow(50) };
  const [, setVersion] = useState(0);
  const [backfills, setBackfills] = useState(0);
  const frame = useRef<number | null>(null);

  const publishProbe = useCallback(
    (backfillCount?: number) => {
      const s = store.current!;
      window.__dashboard = {
        company: companyId,
        points: s.points.points(),
        alerts: s.alerts.points(),
        backfills: backfillCount ?? window.__dashboard?.backfills ?? 0,
      };
    },
    [companyId],
  );

  /** Re-render at most once per animation frame. */
  const changed = useCallback(() => {
    publishProbe();
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setVersion((v) => v + 1);
    });
  }, [publishProbe]);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const backfill = useCallback(async () => {
    const res = await fetch(`/api/history?company=${encodeURIComponent(companyId)}&points=${windowPoints}`, { cache: 'no-store' });
    if (!res.ok) return;
    const answer = (await res.json()) as HistoryAnswer;
    const s = store.current!;
    for (const p of answer.points) s.points.add(p.seq, p.value);
    for (const a of answer.alerts) s.alerts.add(a.seq, a.value);
    setBackfills((n) => {
      publishProbe(n + 1);
      return n + 1;
    });
    changed();
  }, [companyId, windowPoints, changed, publishProbe]);

  const onMessage = useCallback(
    (m: Message) => {
      if (m.seq === undefined) return;
      const s = store.current!;
      if (m.eventType === EVENT_METRICS) s.points.add(m.seq, m.content as unknown as MetricsUpdate);
      else if (m.eventType === EVENT_ALERT) s.alerts.add(m.seq, m.content as unknown as Alert);
      changed();
    },
    [changed],
  );

  // Replay covers short outages; when it can't, the backfill fills the hole.
  const { isSubscribed, connectionState } = useChannel(channel, { onMessage, onGap: () => void backfill(), maxMessages: 1 });

  // Backfill when the view opens (once connected) and after every reconnect.
  const live = useRef(false);
  useEffect(() => {
    if (connectionState === 'connected' && isSubscribed && !live.current) {
      live.current = true;
      void backfill().catch(() => undefined);
    } else if (connectionState !== 'connected') {
      live.current = false;
    }
  }, [connectionState, isSubscribed, backfill]);

  const s = store.current;
  return { channel, points: s.points.points(), alerts: [...s.alerts.points()].reverse(), isSubscribed, backfills };
}
