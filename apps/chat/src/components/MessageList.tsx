/**
 * The room's lines, oldest at the top: day separators, consecutive messages
 * of one author grouped, joins as quiet notices, then the user's own
 * messages still on their way (pending, or failed with Retry). Text is
 * rendered as React text nodes, never as HTML. Scrolling to the top loads
 * older history; new lines keep the view pinned to the bottom.
 */
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import type { ChatMessage } from '../../shared/rules.ts';
import type { Pending } from '../chat-state.ts';
import { day, time } from '../format.ts';
import { Avatar } from './Avatar.tsx';

interface Props {
  roomName: string;
  lines: ChatMessage[];
  pending: Pending[];
  me: { id: string; name: string };
  loaded: boolean;
  hasMore: boolean;
  onLoadOlder: () => void;
  onRetry: (p: Pending) => void;
  onDiscard: (key: string) => void;
}

const GROUP_MS = 5 * 60_000;

export function MessageList({ roomName, lines, pending, me, loaded, hasMore, onLoadOlder, onRetry, onDiscard }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const firstId = lines[0]?.id;
  const prevFirst = useRef<{ id: number | undefined; height: number }>({ id: undefined, height: 0 });
  const loadingOlder = useRef(false);

  const sentBefore = useRef(pending.length);

  // Keep the bottom in view for new lines (and always after the user sends);
  // keep the reading position when older ones are prepended.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    if (pending.length > sentBefore.current) pinned.current = true;
    sentBefore.current = pending.length;
    if (prevFirst.current.id !== undefined && firstId !== prevFirst.current.id && !pinned.current) {
      el.scrollTop += el.scrollHeight - prevFirst.current.height;
    } else if (pinned.current) {
      el.scrollTop = el.scrollHeight;
    }
    prevFirst.current = { id: firstId, height: el.scrollHeight };
    loadingOlder.current = false;
  });

  // A page that does not fill the view cannot be scrolled up: fetch more at once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `lines.length` is a trigger: each time a page of lines has rendered, measure again whether the view still does not fill.
  useEffect(() => {
    const el = scroller.current;
    if (el !== null && loaded && hasMore && el.scrollHeight <= el.clientHeight && !loadingOlder.current) {
      loadingOlder.current = true;
      onLoadOlder();
    }
  }, [loaded, hasMore, lines.length, onLoadOlder]);

  function onScroll() {
    const el = scroller.current!;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && hasMore && !loadingOlder.current) {
      loadingOlder.current = true;
      onLoadOlder();
    }
  }

  const items: ReactNode[] = [];
  let prev: ChatMessage | undefined;
  let lastDay = '';
  for (const line of lines) {
    if (day(line.createdAt) !== lastDay) {
      lastDay = day(line.createdAt);
      prev = undefined;
      items.push(
        <div className="day" key={`day-${line.id}`}>
          <span>{day(line.createdAt)}</span>
        </div>,
      );
    }
    if (line.kind === 'join') {
      items.push(
        <div className="notice" key={line.id} data-testid="join-notice" data-id={line.id} data-user-id={line.userId}>
          <strong>{line.userName}</strong> joined #{roomName}
          <time>{time(line.createdAt)}</time>
        </div>,
      );
      prev = undefined;
      continue;
    }
    const grouped =
      prev !== undefined && prev.kind === 'message' && prev.userId === line.userId && line.createdAt - prev.createdAt < GROUP_MS;
    items.push(
      <article
        key={line.id}
        className={`msg${grouped ? ' grouped' : ''}${line.userId === me.id ? ' mine' : ''}`}
        data-testid="message"
        data-id={line.id}
        data-seq={line.seq ?? undefined}
        data-key={line.key}
        data-author={line.userName}
        data-status="sent"
      >
        {grouped ? <time className="gutter-time">{time(line.createdAt)}</time> : <Avatar id={line.userId} name={line.userName} />}
        <div className="body">
          {!grouped && (
            <header>
              <strong>{line.userName}</strong>
              <time dateTime={new Date(line.createdAt).toISOString()}>{time(line.createdAt)}</time>
            </header>
          )}
          <p className="text" data-testid="message-text">
            {line.text}
          </p>
        </div>
      </article>,
    );
    prev = line;
  }
  for (const p of pending) {
    items.push(
      <article
        key={`p-${p.key}`}
        className={`msg mine ${p.status}`}
        data-testid="message"
        data-key={p.key}
        data-author={me.name}
        data-status={p.status === 'sending' ? 'pending' : 'failed'}
      >
        <Avatar id={me.id} name={me.name} />
        <div className="body">
          <header>
            <strong>{me.name}</strong>
            <span className="state">{p.status === 'sending' ? 'Sending…' : 'Not sent'}</span>
          </header>
          <p className="text" data-testid="message-text">
            {p.text}
          </p>
          {p.status === 'failed' && (
            <p className="failed-row" role="alert">
              {p.error}{' '}
              <button type="button" className="link" data-testid="retry" onClick={() => onRetry(p)}>
                Retry
              </button>
              <button type="button" className="link subtle" onClick={() => onDiscard(p.key)}>
                Discard
              </button>
            </p>
          )}
        </div>
      </article>,
    );
  }

  return (
    <div
      className="scroller"
      ref={scroller}
      onScroll={onScroll}
      data-testid="messages"
      data-loaded={String(loaded)}
      data-has-more={String(hasMore)}
    >
      {loaded && !hasMore && (
        <div className="room-start">
          <h3>This is the very beginning of #{roomName}</h3>
        </div>
      )}
      {hasMore && <div className="loading-older muted">Loading earlier messages…</div>}
      {!loaded && <div className="loading-older muted">Loading…</div>}
      {items}
    </div>
  );
}
