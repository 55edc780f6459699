import { useCallback, useEffect, useState } from 'react';

const read = (): string | null => /^#\/room\/([\w-]+)$/.exec(window.location.hash)?.[1] ?? null;

/** The open room, kept in the URL hash (`#/room/general`) so it survives a reload and can be linked. */
export function useHashRoom(): [string | null, (roomId: string) => void] {
  const [room, setRoom] = useState(read);
  useEffect(() => {
    const onHash = () => setRoom(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const open = useCallback((roomId: string) => {
    window.location.hash = `#/room/${roomId}`;
  }, []);
  return [room, open];
}
