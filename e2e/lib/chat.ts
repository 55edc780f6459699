/** Helpers for the team chat specs (apps/chat). */
import { expect, type Page } from '@playwright/test';
import { CHAT_URL } from './stack';

/** A name no other test (or run) uses. */
export function uniqueName(first: string): string {
  return `${first} ${Math.random().toString(36).slice(2, 6)}`;
}

/** Signs in with a display name and waits until the chat is live: socket connected, every room subscribed, history shown. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(CHAT_URL);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Join the team' }).click();
  await expect(page.getByTestId('me')).toHaveText(name);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('messages')).toHaveAttribute('data-loaded', 'true');
}

/** Opens a room from the sidebar and waits for its history (or, for a room not joined yet, its Join button). */
export async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.getByTestId(`room-${roomId}`).click();
  const room = page.getByTestId('room');
  await expect(room).toHaveAttribute('data-room-id', roomId);
  if ((await room.getAttribute('data-joined')) === 'true')
    await expect(page.getByTestId('messages')).toHaveAttribute('data-loaded', 'true');
}

/** Joins the open room and waits for its history. */
export async function joinOpenRoom(page: Page): Promise<void> {
  await page.getByTestId('join-room').click();
  await expect(page.getByTestId('room')).toHaveAttribute('data-joined', 'true');
  await expect(page.getByTestId('messages')).toHaveAttribute('data-loaded', 'true');
}

/** Types a message and presses Enter (the composer clears at once: the send is optimistic). */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** The confirmed messages' texts in the open room, top to bottom. */
export function sentTexts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message"][data-status="sent"] [data-testid="message-text"]').allTextContents();
}

/** A sent message with exactly this text. */
export const sentMessage = (page: Page, text: string) =>
  page
    .locator('[data-testid="message"][data-status="sent"]')
    .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });

/** A member row in the open room's member list. */
export const member = (page: Page, name: string) => page.locator(`[data-testid="member"][data-name="${name}"]`);
