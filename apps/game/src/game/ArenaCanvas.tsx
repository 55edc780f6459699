/** Mounts the Phaser game for as long as the component lives. */
import * as Phaser from 'phaser';
import { useEffect, useRef } from 'react';
import { ARENA } from '../../shared/rules.ts';
import { ArenaScene, type ArenaBridge } from './ArenaScene.ts';

export function ArenaCanvas({ bridge }: { bridge: ArenaBridge }) {
  const parent = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const game = new Phaser.Game({
      // Canvas rendering: a few hundred sprites need no GPU, and it runs the same everywhere.
      type: Phaser.CANVAS,
      parent: parent.current!,
      width: ARENA.width,
      height: ARENA.height,
      backgroundColor: '#0b1020',
      banner: false,
      audio: { noAudio: true },
      scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
      scene: new ArenaScene(bridge),
    });
    return () => game.destroy(true);
  }, [bridge]);
  return <div className="arena" ref={parent} data-testid="arena" />;
}
