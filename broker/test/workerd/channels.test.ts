import { describe, expect, it } from 'vitest';
import type { ChannelInfo, Pagination } from '@pushflodev/sdk/protocol';
import { api, freshChannel, KEYS, publish } from './helpers';

const mgmt = <T>(method: string, path: string, body?: unknown) => api<T>(method, path, body, KEYS.mgmt);
type One = { success: true; data: ChannelInfo };

describe('channel management', () => {
  it('creates, reads, updates, lists and deletes channels', async () => {
    const slug = freshChannel('crud');
    const created = await mgmt<One>('POST', '/channels', { slug, name: 'Crud test', description: 'd', metadata: { team: 7 } });
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({
      slug,
      name: 'Crud test',
      description: 'd',
      isPrivate: false,
      metadata: { team: 7 },
      messageCount: 0,
    });
    expect(created.json.data.id).toMatch(/^ch_/);

    const dup = await mgmt('POST', '/channels', { slug, name: 'again' });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'CHANNEL_EXISTS' });

    await publish(slug, { a: 1 });
    await publish(slug, { a: 2 });
    const got = await mgmt<One>('GET', `/channels/${encodeURIComponent(slug)}`);
    expect(got.json.data.messageCount).toBe(2);

    const patched = await mgmt<One>('PATCH', `/channels/${encodeURIComponent(slug)}`, { description: null, isPrivate: false });
    expect(patched.json.data).toMatchObject({ name: 'Crud test', description: null, isPrivate: false, metadata: { team: 7 } });
    // Privacy follows the name (it is what subscribing checks): a public name cannot be made private.
    const refused = await mgmt('PATCH', `/channels/${encodeURIComponent(slug)}`, { isPrivate: true });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await mgmt<One>('GET', `/channels/${encodeURIComponent(slug)}`)).json.data.isPrivate).toBe(false);

    const listed = await mgmt<{ data: ChannelInfo[]; pagination: Pagination }>('GET', '/channels?pageSize=100');
    expect(listed.json.data.some((c) => c.slug === slug)).toBe(true);

    expect((await mgmt('DELETE', `/channels/${encodeURIComponent(slug)}`)).status).toBe(200);
    const gone = await mgmt('GET', `/channels/${encodeURIComponent(slug)}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'CHANNEL_NOT_FOUND' });
    const history = await api<{ data: { pagination: Pagination } }>('GET', `/channels/${encodeURIComponent(slug)}/messages`);
    expect(history.json.data.pagination.total).toBe(0);
  });

  it('registers channels on first use and marks private- names private', async () => {
    const slug = `private-${freshChannel('auto').replace(':', '-')}`;
    await publish(slug, { x: 1 });
    const got = await mgmt<One>('GET', `/channels/${encodeURIComponent(slug)}`);
    expect(got.status).toBe(200);
    expect(got.json.data).toMatchObject({ slug, isPrivate: true, messageCount: 1 });
  });

  it('pages the channel list', async () => {
    for (let i = 0; i < 3; i++) await mgmt('POST', '/channels', { slug: freshChannel('page') });
    const p = await mgmt<{ data: ChannelInfo[]; pagination: Pagination }>('GET', '/channels?pageSize=2&page=1');
    expect(p.json.data).toHaveLength(2);
    expect(p.json.pagination.pageSize).toBe(2);
    expect(p.json.pagination.totalPages).toBe(Math.ceil(p.json.pagination.total / 2));
  });

  it('refuses bad management input', async () => {
    expect((await mgmt('POST', '/channels', { slug: 'bad name' })).json).toMatchObject({ code: 'INVALID_CHANNEL' });
    expect((await mgmt('POST', '/channels', { slug: freshChannel(), isPrivate: 'yes' })).json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await mgmt('POST', '/channels', { slug: freshChannel(), isPrivate: true })).json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(
      (await mgmt<One>('POST', '/channels', { slug: `private-${freshChannel().replace(':', '-')}`, isPrivate: true })).json.data.isPrivate,
    ).toBe(true);
    expect((await mgmt('POST', '/channels', { slug: freshChannel(), metadata: [1] })).json).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await mgmt('PATCH', '/channels/nope-404', { name: 'x' })).status).toBe(404);
    expect((await mgmt('DELETE', '/channels/nope-404')).status).toBe(404);
  });
});
