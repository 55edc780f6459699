/**
 * Every picture in the game is drawn here with Phaser graphics and baked
 * into textures: no image files to download.
 */
import type * as Phaser from 'phaser';
import { ARENA, COIN_RADIUS, PLAYER_RADIUS } from '../../shared/rules.ts';

const hex = (css: string) => Number.parseInt(css.replace('#', ''), 16);

/** The tiled arena floor with its wall ring. */
function floor(scene: Phaser.Scene): void {
  const g = scene.add.graphics();
  const { width, height, tile } = ARENA;
  for (let y = 0; y < height; y += tile) {
    for (let x = 0; x < width; x += tile) {
      const wall = x === 0 || y === 0 || x === width - tile || y === height - tile;
      if (wall) {
        g.fillStyle(0x2a3350, 1).fillRect(x, y, tile, tile);
        g.fillStyle(0x343f62, 1).fillRect(x + 2, y + 2, tile - 4, tile / 2 - 3);
        g.fillStyle(0x232b45, 1).fillRect(x + 2, y + tile / 2 + 1, tile - 4, tile / 2 - 3);
      } else {
        const dark = ((x + y) / tile) % 2 === 0;
        g.fillStyle(dark ? 0x141b2d : 0x172036, 1).fillRect(x, y, tile, tile);
        g.lineStyle(1, 0x1f2a44, 1).strokeRect(x + 0.5, y + 0.5, tile - 1, tile - 1);
        if ((x * 7 + y * 13) % 11 === 0) g.fillStyle(0x1d2741, 1).fillCircle(x + tile / 2, y + tile / 2, 3);
      }
    }
  }
  g.lineStyle(2, 0x4f8cff, 0.35).strokeRect(tile - 1, tile - 1, width - 2 * tile + 2, height - 2 * tile + 2);
  g.generateTexture('floor', width, height);
  g.destroy();
}

function coin(scene: Phaser.Scene): void {
  const g = scene.add.graphics();
  const r = COIN_RADIUS;
  const c = r + 4;
  g.fillStyle(0xffc83d, 0.25).fillCircle(c, c, r + 4);
  g.fillStyle(0xd99a00, 1).fillCircle(c, c, r);
  g.fillStyle(0xffd34d, 1).fillCircle(c, c, r - 2);
  g.fillStyle(0xfff1b0, 1).fillRect(c - 1.5, c - r + 5, 3, 2 * r - 10);
  g.fillStyle(0xffffff, 0.8).fillCircle(c - r / 2.5, c - r / 2.5, 2);
  g.generateTexture('coin', 2 * c, 2 * c);
  g.destroy();
}

/** A round character in `color`, with a shadow, an outline and eyes. */
export function playerTexture(scene: Phaser.Scene, color: string): string {
  const key = `player-${color}`;
  if (scene.textures.exists(key)) return key;
  const g = scene.add.graphics();
  const r = PLAYER_RADIUS;
  const size = 2 * r + 12;
  const c = size / 2;
  g.fillStyle(0x000000, 0.35).fillEllipse(c, c + r - 1, 2 * r, 10);
  g.fillStyle(0xffffff, 1).fillCircle(c, c - 2, r + 2);
  g.fillStyle(hex(color), 1).fillCircle(c, c - 2, r);
  g.fillStyle(0xffffff, 0.25).fillCircle(c - r / 3, c - r / 2, r / 2.4);
  g.fillStyle(0xffffff, 1)
    .fillCircle(c - 5, c - 5, 4.5)
    .fillCircle(c + 5, c - 5, 4.5);
  g.fillStyle(0x101525, 1)
    .fillCircle(c - 4, c - 4, 2.2)
    .fillCircle(c + 6, c - 4, 2.2);
  g.generateTexture(key, size, size);
  g.destroy();
  return key;
}

export function makeTextures(scene: Phaser.Scene): void {
  floor(scene);
  coin(scene);
}
