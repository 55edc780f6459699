/**
 * One joined room's live feed (renders nothing): `message-sent` and
 * `user-joined` arrive here once each, in order, across reconnects (the SDK
 * resumes from the last seq). When replay cannot cover an outage, `onGap`
 * asks for a refetch.
 */
import { useEffect } from 'react';
import { useChannel } from '@pushflodev/sdk/react';
import { EVENTS, roomChannel, type ChatMessage } from '../../shared/rules.ts';
import { lineFromEvent } from '../chat-state.ts';

interface Props {
  roomId: string;
  onLine: (line: ChatMessage) => void;
  onGap: (roomId: string) => void;
  onSubscribed: (roomId: string, live: boolean) => void;
}

export function RoomSubscription({ roomId, onLine, onGap, onSubscribed }: Props) {
  const { isSubscribed } = useChannel(roomChannel(roomId), {
    maxMessages: 1,
    onMessage: (m) => {
      // Only the server's publishes are chat lines: a client event of the same name is ignored.
      if (m.clientEvent === true || (m.eventType !== EVENTS.messageSent && m.eventType !== EVENTS.userJoined)) return;
      const line = lineFromEvent(m.content, m.seq);
      if (line !== null && line.roomId === roomId) onLine(line);
    },
    onGap: () => onGap(roomId),
  });
  useEffect(() => onSubscribed(roomId, isSubscribed), [roomId, isSubscribed, onSubscribed]);
  return null;
}
