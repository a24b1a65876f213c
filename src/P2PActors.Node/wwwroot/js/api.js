// The node's HTTP API, same origin only: the page never talks to anything but the node that served it.

/** Thrown for any answer that is not 2xx; carries the RFC 9457 problem details the node sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** "field: message" lines from a validation problem, or the detail. */
  describe() {
    const errors = this.problem.errors;
    if (errors && typeof errors === 'object') {
      return Object.entries(errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`).join('\n');
    }
    return this.message;
  }
}

/** @type {() => string | null} the session's resume token: while a session holds the player, HTTP needs it. */
let bearer = () => null;

export function useBearer(source) {
  bearer = source;
}

/** JSON request to the node; resolves with the parsed body and status, rejects with ApiError. */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, headers: { accept: 'application/json' } };
  const token = bearer();
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data, headers: response.headers };
}

export const PLAYER_ID = /^[A-Za-z0-9_-]{1,64}$/;
