/**
 * The Phaser scene, kept thin: it reads input, moves the local player with
 * the shared rules, and draws the match state. Everything else (what a move
 * sends, what a pickup claims, what the state is) lives in plain modules
 * behind `ArenaBridge`.
 */
import * as Phaser from 'phaser';
import { distance, step, stepTowards, touchOnPath, type Point } from '../../shared/rules.ts';
import type { MatchState } from './match-state.ts';
import { makeTextures, playerTexture } from './textures.ts';

export interface ArenaBridge {
  state: MatchState;
  /** Where the local player is steering to (a click, or a test's `moveTo`); null with keys. */
  target: Point | null;
  /** Where each player is drawn now (for tests). */
  readonly rendered: Map<string, Point>;
  /** Every frame: the local player's position and whether it moved. */
  onFrame(pos: Point, moving: boolean, now: number): void;
  /** The local player touches a coin. */
  onTouchCoin(coinId: string, pos: Point): void;
}

type Keys = Record<'up' | 'down' | 'left' | 'right' | 'w' | 'a' | 's' | 'd', Phaser.Input.Keyboard.Key>;

export class ArenaScene extends Phaser.Scene {
  private keys: Keys | null = null;
  private readonly players = new Map<string, Phaser.GameObjects.Container>();
  private readonly coins = new Map<string, Phaser.GameObjects.Image>();
  private offPickup: (() => void) | null = null;
  private lastFrameAt: number | null = null;

  private readonly bridge: ArenaBridge;

  constructor(bridge: ArenaBridge) {
    super('arena');
    this.bridge = bridge;
  }

  create(): void {
    makeTextures(this);
    this.add.image(0, 0, 'floor').setOrigin(0, 0);
    const kb = this.input.keyboard;
    if (kb) {
      const K = Phaser.Input.Keyboard.KeyCodes;
      this.keys = kb.addKeys({ up: K.UP, down: K.DOWN, left: K.LEFT, right: K.RIGHT, w: K.W, a: K.A, s: K.S, d: K.D }) as Keys;
    }
    this.input.on('pointerdown', (p: Phaser.Input.Pointer) => {
      this.bridge.target = { x: p.worldX, y: p.worldY };
    });
    this.offPickup = this.bridge.state.onPickup((p) => this.celebrate(p));
    this.events.once('shutdown', () => this.offPickup?.());
  }

  update(): void {
    // Wall-clock frame time (Phaser smooths and clamps its delta): movement speed does not depend on the frame rate.
    const now = performance.now();
    const delta = this.lastFrameAt === null ? 0 : now - this.lastFrameAt;
    this.lastFrameAt = now;
    const state = this.bridge.state;
    const ended = state.match?.status === 'ended';

    // The local player moves at once: keys first, else towards a target.
    const before = state.me;
    let next = before;
    const dir = this.direction();
    if (!ended && (dir.x !== 0 || dir.y !== 0)) {
      this.bridge.target = null;
      next = step(before, dir, delta);
    } else if (!ended && this.bridge.target !== null) {
      next = stepTowards(before, this.bridge.target, delta);
      if (distance(next, this.bridge.target) < 0.5 || (next.x === before.x && next.y === before.y)) this.bridge.target = null;
    }
    const moving = next.x !== before.x || next.y !== before.y;
    state.me = next;
    this.bridge.onFrame(next, moving, now);

    this.drawCoins(before, next, state.match?.status === 'playing');
    this.drawPlayers(now);
  }

  private direction(): Point {
    const k = this.keys;
    if (k === null) return { x: 0, y: 0 };
    const x = (k.right.isDown || k.d.isDown ? 1 : 0) - (k.left.isDown || k.a.isDown ? 1 : 0);
    const y = (k.down.isDown || k.s.isDown ? 1 : 0) - (k.up.isDown || k.w.isDown ? 1 : 0);
    return { x, y };
  }

  private drawCoins(from: Point, me: Point, playing: boolean): void {
    const state = this.bridge.state;
    for (const [id, sprite] of this.coins) {
      if (!state.coins.has(id)) {
        this.tweens.killTweensOf(sprite);
        sprite.destroy();
        this.coins.delete(id);
      }
    }
    for (const coin of state.coins.values()) {
      if (!this.coins.has(coin.id)) {
        const sprite = this.add.image(coin.x, coin.y, 'coin').setDepth(1).setScale(0.2);
        this.tweens.add({ targets: sprite, scale: 1, duration: 250, ease: 'Back.Out' });
        this.tweens.add({ targets: sprite, y: coin.y - 3, duration: 700, yoyo: true, repeat: -1, ease: 'Sine.InOut' });
        this.coins.set(coin.id, sprite);
      }
      const touched = playing ? touchOnPath(from, me, coin) : null;
      if (touched !== null) this.bridge.onTouchCoin(coin.id, touched);
    }
  }

  private drawPlayers(now: number): void {
    const state = this.bridge.state;
    const seen = new Set<string>();
    for (const p of state.players.values()) {
      if (!p.online) continue;
      seen.add(p.id);
      const mine = p.id === state.myId;
      const pos = mine ? state.me : p.motion.at(now);
      let sprite = this.players.get(p.id);
      if (sprite === undefined) {
        const body = this.add.image(0, 0, playerTexture(this, p.color));
        const label = this.add
          .text(0, -30, mine ? `${p.name} (you)` : p.name, {
            fontFamily: 'system-ui, sans-serif',
            fontSize: '13px',
            color: '#ffffff',
            fontStyle: '600',
          })
          .setOrigin(0.5, 1)
          .setShadow(0, 1, '#000000', 3);
        sprite = this.add.container(pos.x, pos.y, [body, label]).setDepth(mine ? 3 : 2);
        this.players.set(p.id, sprite);
      }
      sprite.setPosition(pos.x, pos.y);
      this.bridge.rendered.set(p.id, { x: pos.x, y: pos.y });
    }
    for (const [id, sprite] of this.players) {
      if (!seen.has(id)) {
        sprite.destroy();
        this.players.delete(id);
        this.bridge.rendered.delete(id);
      }
    }
  }

  /** A "+1" that floats up where a coin was picked up. */
  private celebrate(p: { playerId: string; x: number; y: number }): void {
    const player = this.bridge.state.players.get(p.playerId);
    const text = this.add
      .text(p.x, p.y - 20, '+1', {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '20px',
        color: player?.color ?? '#ffc83d',
        fontStyle: '800',
      })
      .setOrigin(0.5)
      .setDepth(4)
      .setShadow(0, 2, '#000000', 4);
    this.tweens.add({ targets: text, y: p.y - 60, alpha: 0, duration: 900, ease: 'Cubic.Out', onComplete: () => text.destroy() });
  }
}
