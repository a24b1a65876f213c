// What the page asks of its node, over the session's WebSocket when it is up and over the HTTP API otherwise (before
// joining, or if the node has no /ws). Answers are normalised to one shape; failures throw an error with describe()
// and, for a vote, problem.decision / problem.rules.
import { api, ApiError, useBearer } from './api.js';
import { session, WsError } from './session.js';
import { player } from './state.js';

/** A failed request, whichever way it went. */
export class RequestError extends Error {
  constructor(message, problem, describe) {
    super(message);
    this.problem = problem ?? {};
    this.describeText = describe ?? message;
  }

  describe() {
    return this.describeText;
  }
}

function wrap(e) {
  if (e instanceof ApiError) return new RequestError(e.message, e.problem, e.describe());
  if (e instanceof WsError) {
    const problem = { ...e.frame, decision: ['rejected', 'undecided'].includes(e.code) ? e.code : undefined };
    return new RequestError(e.message, problem, e.describe());
  }
  return new RequestError(String(e?.message ?? e));
}

// While the session holds the player, HTTP requests acting for them carry its resume token (docs/protocol.md), also
// while a dropped connection is being resumed.
useBearer(() => session.bearer);

/** Requests this node's /ws does not know (an older node): they go over HTTP from then on. */
const httpOnly = new Set();

async function attempt(type, ws, http) {
  try {
    if (session.ready && !httpOnly.has(type)) {
      try {
        return await ws();
      } catch (e) {
        if (!(e instanceof WsError && e.code === 'unknown-type')) throw e;
        httpOnly.add(type);
      }
    }
    return await http();
  } catch (e) {
    throw wrap(e);
  }
}

const me = () => encodeURIComponent(/** @type {string} */ (player.name));

export const generate = (type, params, seed) => attempt('generate',
  async () => {
    const a = await session.request('generate', { contentType: type, params, seed });
    return { content: a.content, cache: a.fromCache ? 'hit' : 'miss' };
  },
  async () => {
    const { data, headers } = await api(`/api/content/${encodeURIComponent(type)}`, { method: 'POST', body: { playerId: player.name, seed, params } });
    return { content: data, cache: headers.get('x-cache') };
  });

export const rate = (contentId, stars) => attempt('rate',
  () => session.request('rate', { contentId, stars }),
  async () => (await api(`/api/content/${contentId}/ratings`, { method: 'POST', body: { playerId: player.name, stars } })).data);

/** Shares through the vote: resolves with { id, type, name, author, certificate } when accepted. */
export const share = (contentId) => attempt('share',
  async () => {
    const a = await session.request('share', { contentId });
    return { id: a.contentId, type: a.contentType, name: a.name, author: a.author, certificate: a.certificate };
  },
  async () => (await api('/api/catalog', { method: 'POST', body: { contentId, author: player.name ?? undefined } })).data);

export const catalog = (type, skip, take) => attempt('catalog',
  () => session.request('catalog', { contentType: type || undefined, skip, take }),
  async () => {
    const query = new URLSearchParams({ skip: String(skip), take: String(take) });
    if (type) query.set('type', type);
    return (await api(`/api/catalog?${query}`)).data;
  });

export const preferences = () => attempt('preferences',
  () => session.request('preferences'),
  async () => (await api(`/api/players/${me()}/preferences`)).data);

export const recommendations = (take) => attempt('recommendations',
  () => session.request('recommendations', { take }),
  async () => (await api(`/api/players/${me()}/recommendations?take=${take}`)).data);

export const setSharing = (share) => attempt('set-sharing',
  () => session.request('set-sharing', { share }),
  async () => (await api(`/api/players/${me()}/sharing`, { method: 'PUT', body: { share } })).data);

export const inventoryAdd = (itemId) => attempt('inventory-add',
  () => session.request('inventory-add', { itemId }),
  async () => (await api(`/api/players/${me()}/inventory/${encodeURIComponent(itemId)}`, { method: 'POST' })).data);

export const inventoryRemove = (itemId) => attempt('inventory-remove',
  () => session.request('inventory-remove', { itemId }),
  async () => (await api(`/api/players/${me()}/inventory/${encodeURIComponent(itemId)}`, { method: 'DELETE' })).data);

/** Over HTTP (the WebSocket has no ratings list); api() sends the session token, which a held player's ratings need. */
export async function ratings() {
  try {
    return (await api(`/api/players/${me()}/ratings`)).data;
  } catch (e) {
    throw wrap(e);
  }
}
