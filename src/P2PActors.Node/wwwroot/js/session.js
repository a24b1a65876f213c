// The page's one WebSocket to its node (docs/protocol.md): hello/welcome, requests answered by id, pushes by type.
// A dropped connection is resumed with the session's resume token, kept in sessionStorage for this tab only.

/** An `error` frame answering a request: `code` as in docs/protocol.md, `errors` per field for invalid-field. */
export class WsError extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.code = frame.code;
    this.frame = frame;
  }

  describe() {
    const errors = this.frame.errors;
    if (errors && typeof errors === 'object') {
      return Object.entries(errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`).join('\n');
    }
    return this.message;
  }
}

/** The WebSocket could not be opened at all (the node refused the upgrade or has no /ws). */
export class SocketRefused extends Error {}

const TOKEN_KEY = 'p2p.resume';
const REQUEST_TIMEOUT_MS = 15000;

export class Session extends EventTarget {
  constructor() {
    super();
    /** @type {WebSocket | null} */
    this.socket = null;
    this.nextId = 1;
    /** @type {Map<string, {resolve: Function, reject: Function, timer: number}>} */
    this.pending = new Map();
    /** @type {any} */
    this.welcome = null;
    /** @type {string | null} */
    this.playerId = null;
    this.closedByPage = false;
    this.retryMs = 500;
    /** The reconnect scheduled after a drop, cancelled when the page closes the session. */
    this.retryTimer = 0;
    /** The end of a session left while disconnected (see leave()); a join waits for it. */
    this.ending = Promise.resolve();
  }

  get ready() {
    return this.welcome !== null && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and says hello as the player; resolves with the welcome frame. */
  async join(playerId) {
    // A session this tab ended over HTTP (left while disconnected) must be over before the hello, or it is refused.
    await this.ending;
    this.playerId = playerId;
    this.closedByPage = false;
    await this.open();
    return this.hello();
  }

  open() {
    return new Promise((resolve, reject) => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.addEventListener('open', () => { this.retryMs = 500; resolve(undefined); }, { once: true });
      socket.addEventListener('error', () => reject(new SocketRefused('The node refused the WebSocket.')), { once: true });
      socket.addEventListener('message', (event) => this.receive(event.data));
      socket.addEventListener('close', (event) => this.closed(socket, event));
    });
  }

  async hello() {
    const resumeToken = sessionStorage.getItem(`${TOKEN_KEY}.${this.playerId}`) ?? undefined;
    const welcome = await this.request('hello', { playerId: this.playerId, resumeToken }, true);
    this.welcome = welcome;
    sessionStorage.setItem(`${TOKEN_KEY}.${this.playerId}`, welcome.resumeToken);
    this.emit('welcome', welcome);
    return welcome;
  }

  /**
   * The token that proves this tab holds the player, for HTTP requests made for them: the welcome's while connected,
   * and the stored one while a dropped connection is being resumed (the node keeps the claim for the resume grace, and
   * refuses an HTTP write for the player without it).
   */
  get bearer() {
    if (this.welcome) return this.welcome.resumeToken;
    if (this.closedByPage || !this.playerId) return null;
    return sessionStorage.getItem(`${TOKEN_KEY}.${this.playerId}`);
  }

  /** Leaves for good: the socket is closed and the resume token forgotten. */
  leave() {
    const token = this.playerId ? sessionStorage.getItem(`${TOKEN_KEY}.${this.playerId}`) : null;
    // Left while the connection is down: the node holds the session for its resume grace, and nobody (this tab
    // included, once it forgot the token) could join as the player until it passed. End it over HTTP with the token.
    if (token && !this.ready) {
      this.ending = fetch(`/api/players/${encodeURIComponent(this.playerId)}/session`,
        { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) })
        .catch(() => { /* the node is unreachable too: the grace ends the session */ });
    }
    if (this.playerId) sessionStorage.removeItem(`${TOKEN_KEY}.${this.playerId}`);
    this.disconnect('left');
  }

  /**
   * Closes the socket without reconnecting, and fails the requests still waiting at once (they would otherwise wait
   * for their timeout: the socket's close event is no longer this session's). The resume token is kept.
   */
  disconnect(reason) {
    this.closedByPage = true;
    // A reconnect already scheduled must not run after a later join reset closedByPage: it would open a second socket.
    clearTimeout(this.retryTimer);
    this.welcome = null;
    this.drop(reason);
  }

  /** Lets go of the current socket, open or not, so no socket is left behind. */
  drop(reason) {
    const socket = this.socket;
    this.socket = null;
    this.failPending('The connection to the node closed.');
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(1000, reason);
  }

  failPending(message) {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(message));
    }
    this.pending.clear();
  }

  /** Sends a request and resolves with its answer, or rejects with a WsError. */
  request(type, fields = {}, beforeWelcome = false) {
    if (!beforeWelcome && !this.ready) return Promise.reject(new Error('Not connected to the node.'));
    const id = String(this.nextId++);
    const frame = { type, id };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) frame[key] = value;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`The node did not answer '${type}' in time.`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket?.send(JSON.stringify(frame));
    });
  }

  /** Sends raw text as it is (the garbage-frame test and nothing else uses this). */
  sendRaw(text) {
    this.socket?.send(text);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.id !== undefined && this.pending.has(String(frame.id))) {
      const waiter = /** @type {any} */ (this.pending.get(String(frame.id)));
      this.pending.delete(String(frame.id));
      clearTimeout(waiter.timer);
      if (frame.type === 'error') waiter.reject(new WsError(frame));
      else waiter.resolve(frame);
      return;
    }
    this.emit(frame.type, frame);
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    const wasReady = this.welcome !== null;
    this.welcome = null;
    this.failPending('The connection to the node closed.');
    this.emit('disconnected', { code: event.code, reason: event.reason, wasReady });
    // 4001: another connection resumed this session; reconnecting would steal it back and forth.
    if (this.closedByPage || event.code === 4001 || !wasReady) return;
    this.retryTimer = setTimeout(() => this.reconnect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 8000);
  }

  async reconnect() {
    if (this.closedByPage || !this.playerId) return;
    try {
      await this.open();
      await this.hello();
      this.emit('resumed', this.welcome);
    } catch (e) {
      if (e instanceof WsError && e.code === 'session-held') {
        // Another tab or node took the player while this one was away (its token no longer resumes anything):
        // retrying would fail for ever. This tab stops acting for the player, as after a takeover (close 4001).
        this.drop('taken');
        this.closedByPage = true;
        sessionStorage.removeItem(`${TOKEN_KEY}.${this.playerId}`);
        this.emit('taken', {});
        return;
      }
      // A socket that opened but whose hello failed (the node busy, the session still held) is closed before the
      // next try: the node keeps a connection without a session open, and every retry would leave one more.
      this.drop('retrying');
      if (this.closedByPage) return;
      this.retryTimer = setTimeout(() => this.reconnect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    }
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Calls handler(frame) for every push (or session event) of this type. */
  on(type, handler) {
    this.addEventListener(type, (event) => handler(/** @type {CustomEvent} */ (event).detail));
  }
}

export const session = new Session();
