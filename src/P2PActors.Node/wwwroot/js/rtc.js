// WebRTC between the pages in one room (the zone). The node relays the signaling (`signal`) across the cluster; each
// pair runs the perfect-negotiation pattern (the peer with the smaller peerId is polite and yields on colliding
// offers), so simultaneous offers cannot deadlock. Only the impolite peer opens the data channel, so only it makes the
// first offer and the pair starts without a collision: Chromium (156) rolls back a polite offer whose candidates are
// being gathered and then never gathers again for the answer, leaving the link without a path. The polite peer takes
// the channel when it arrives. The channel carries position updates and pings; while no channel is open, pings travel
// through the nodes as `signal` data instead, so the round trip shown is always measured on the path that actually
// carries the traffic.
import { $, h, clear, toast } from './dom.js';
import { session } from './session.js';

const PING_EVERY_MS = 2000;
const WAVE_TOAST_EVERY_MS = 3000;
// No STUN or TURN server: candidates are the host's own addresses, and nothing leaves the machines of the cluster.
const CONFIG = { iceServers: [] };

class PeerLink {
  constructor(peer, polite) {
    this.peer = peer;
    this.polite = polite;
    this.makingOffer = false;
    this.ignoreOffer = false;
    /** @type {number | null} */
    this.rtt = null;
    /** The path the last round trip was measured on: 'channel' or 'relayed'. */
    this.rttPath = null;
    this.path = 'relayed';
    this.pingSeq = 0;
    /** Pending probes (rtc.probe): ping n -> callback with the round trip and the path the pong came back by. */
    this.probes = new Map();
    // Signals are applied strictly in order: a candidate must not overtake the description it belongs to.
    this.queue = Promise.resolve();
    /** The last negotiation events (ms since page load, what happened), shown by rtc.peers: why a link never opened. */
    this.events = [];
    this.pc = new RTCPeerConnection(CONFIG);
    /** @type {RTCDataChannel | null} */
    this.channel = null;
    if (polite) {
      this.pc.addEventListener('datachannel', ({ channel }) => {
        // A peer is not trusted: one 'game' channel is taken, anything else it opens is closed.
        if (this.channel || channel.label !== 'game') {
          this.note(`refused channel ${channel.label}`);
          channel.close();
          return;
        }
        this.attach(channel);
        if (channel.readyState === 'open') { this.path = 'channel'; render(); }
      });
    } else {
      this.attach(this.pc.createDataChannel('game'));
    }
    this.pc.addEventListener('negotiationneeded', async () => {
      this.note('negotiation needed');
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        this.signal({ kind: 'description', description: this.pc.localDescription?.toJSON() });
      } catch (e) {
        console.warn('offer failed', e);
      } finally {
        this.makingOffer = false;
      }
    });
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      this.note(candidate ? `local candidate ${candidate.type} ${candidate.address} ${candidate.protocol}` : 'local candidates done');
      if (candidate) this.signal({ kind: 'candidate', candidate: candidate.toJSON() });
    });
    this.pc.addEventListener('icegatheringstatechange', () => this.note(`gathering ${this.pc.iceGatheringState}`));
    this.pc.addEventListener('signalingstatechange', () => this.note(`signaling ${this.pc.signalingState}`));
    this.pc.addEventListener('connectionstatechange', () => { this.note(`connection ${this.pc.connectionState}`); render(); });
    // A path that worked can fail (an address went away); a fresh ICE round through the same signaling finds another.
    this.pc.addEventListener('iceconnectionstatechange', () => {
      this.note(`ice ${this.pc.iceConnectionState}`);
      if (this.pc.iceConnectionState === 'failed') this.pc.restartIce();
    });
  }

  attach(channel) {
    this.channel = channel;
    this.note('channel attached');
    channel.addEventListener('open', () => { this.note('channel open'); this.path = 'channel'; render(); });
    channel.addEventListener('close', () => { this.note('channel closed'); this.path = 'relayed'; render(); });
    channel.addEventListener('message', (event) => {
      try {
        receive(this, JSON.parse(event.data), 'channel');
      } catch {
        // A peer is not trusted: a frame that is not JSON is dropped.
      }
    });
  }

  get open() { return this.channel?.readyState === 'open'; }

  note(text) {
    this.events.push(`${Math.round(performance.now())} ${text}`);
    if (this.events.length > 80) this.events.shift();
  }

  signal(data) {
    if (data.kind === 'description' || data.kind === 'candidate') this.note(`sent ${data.kind === 'description' ? data.description?.type : 'candidate'}`);
    session.request('signal', { to: this.peer.peerId, data }).catch(() => { /* the peer left meanwhile */ });
  }

  onSignal(data) {
    this.queue = this.queue.then(() => this.apply(data)).catch((e) => console.warn('signal failed', e));
  }

  async apply(data) {
    if (data.kind === 'description' && data.description && typeof data.description.sdp === 'string') {
      const description = data.description;
      const collision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      this.note(`received ${description.type}${collision ? ' (collision)' : ''}${this.ignoreOffer ? ', ignored' : ''}`);
      if (this.ignoreOffer) return;
      await this.pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        this.signal({ kind: 'description', description: this.pc.localDescription?.toJSON() });
      }
    } else if (data.kind === 'candidate' && data.candidate) {
      try {
        await this.pc.addIceCandidate(data.candidate);
        this.note('remote candidate added');
      } catch (e) {
        this.note(`remote candidate refused${this.ignoreOffer ? ' (offer ignored)' : ''}: ${e}`);
        if (!this.ignoreOffer) throw e;
      }
    } else if (data.kind === 'ping' || data.kind === 'pong' || data.kind === 'wave') {
      receive(this, { t: data.kind, n: data.n, ts: data.ts, from: data.from }, 'relayed');
    }
  }

  /** Sends over the data channel when it is open, else through the nodes. */
  send(message) {
    if (this.open) {
      this.channel.send(JSON.stringify(message));
      return 'channel';
    }
    if (message.t !== 'pos') this.signal({ kind: message.t, n: message.n, ts: message.ts, from: message.from });
    return 'relayed';
  }

  /**
   * Answers on the path the question came by: a ping that came relayed while the channel opened would otherwise be
   * answered over the channel, and the round trip shown would be half of one path and half of the other.
   */
  reply(message, path) {
    if (path === 'channel' && this.open) this.channel.send(JSON.stringify(message));
    else this.signal({ kind: message.t, n: message.n, ts: message.ts, from: message.from });
  }

  ping() {
    this.send({ t: 'ping', n: ++this.pingSeq, ts: performance.now() });
  }

  /** The nominated ICE candidate pair's local and remote addresses, from getStats. */
  async selectedPair() {
    const stats = await this.pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (!pair) return null;
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    return {
      local: local?.address ?? local?.ip ?? '', localType: local?.candidateType,
      remote: remote?.address ?? remote?.ip ?? '', remoteType: remote?.candidateType, state: pair.state,
    };
  }

  close() {
    this.channel?.close();
    this.pc.close();
  }
}

/** peerId -> PeerLink */
const links = new Map();
/** Signals from a peer whose peer-joined has not arrived yet (the two travel different paths): peerId -> data[] */
const early = new Map();
/** @type {string | null} */
let room = null;
/** Why the last room could not be joined (room full, refused), shown on the peers card until the page joins or leaves. */
let roomProblem = null;
const positionHandlers = [];
const leftHandlers = [];
/** Messages received, newest last (read by the browser tests and shown as toasts). */
const received = [];

/**
 * Answers to relayed pings leave through this page's own WebSocket, whose messages are budgeted (`--ws-rate`, 50 a
 * second by default). A peer sending relayed pings as fast as its own budget allows made this page spend all of its on
 * pongs, and the player's own moves and requests were refused as rate-limited. So relayed pings get at most `rate`
 * answers a second over all peers (honest peers ping every 2 s: a full room of 16 asks 7.5 a second); the others go
 * unanswered, which costs the pinger a round-trip figure, nothing else. Pings over a data channel cost the node nothing.
 */
const relayedReplies = { rate: 10, burst: 20, tokens: 20, at: 0 };

function mayReplyRelayed() {
  const now = performance.now();
  relayedReplies.tokens = Math.min(relayedReplies.burst, relayedReplies.tokens + (now - relayedReplies.at) * relayedReplies.rate / 1000);
  relayedReplies.at = now;
  if (relayedReplies.tokens < 1) return false;
  relayedReplies.tokens -= 1;
  return true;
}

function receive(link, message, path) {
  if (message.t === 'ping') {
    const overChannel = path === 'channel' && link.open;
    if (overChannel || mayReplyRelayed()) link.reply({ t: 'pong', n: message.n, ts: message.ts }, path);
  } else if (message.t === 'pong' && typeof message.ts === 'number') {
    const probe = link.probes.get(message.n);
    if (probe) {
      probe(performance.now() - message.ts, path);
      return;
    }
    link.rtt = performance.now() - message.ts;
    link.rttPath = path;
    render();
  } else if (message.t === 'pos' && Number.isInteger(message.x) && Number.isInteger(message.y)) {
    for (const handler of positionHandlers) handler(link.peer.playerId, message);
  } else if (message.t === 'wave') {
    received.push({ from: link.peer.playerId, path, text: 'wave' });
    if (received.length > 200) received.splice(0, received.length - 200);
    // A peer may wave as fast as it likes; the page shows at most one of its waves every few seconds.
    const now = performance.now();
    if (now - (link.lastWaveToast ?? -Infinity) < WAVE_TOAST_EVERY_MS) return;
    link.lastWaveToast = now;
    toast(`${link.peer.playerId} waves at you (${path === 'channel' ? 'data channel' : 'through the nodes'})`);
  }
}

function addPeer(peer) {
  if (!session.welcome || peer.peerId === session.welcome.peerId || links.has(peer.peerId)) return links.get(peer.peerId);
  const link = new PeerLink(peer, session.welcome.peerId < peer.peerId);
  links.set(peer.peerId, link);
  const buffered = early.get(peer.peerId) ?? [];
  if (buffered.length > 0) link.note(`${buffered.length} signals arrived before peer-joined`);
  for (const data of buffered) link.onSignal(data);
  early.delete(peer.peerId);
  render();
  return link;
}

function removePeer(peer, announce) {
  const link = links.get(peer.peerId);
  if (!link) return;
  link.close();
  links.delete(peer.peerId);
  if (announce) {
    logRoom(`peer-left: ${peer.playerId}`);
    for (const handler of leftHandlers) handler(peer);
  }
  render();
}

const roomLog = [];
/** Kept as the node names the events (tests read it); shown in words. */
function logRoom(text) {
  roomLog.push(text);
  const [event, playerId] = text.split(': ');
  toast(event === 'peer-joined' ? `${playerId} joined the room.` : event === 'peer-left' ? `${playerId} left the room.` : text);
}

export const rtc = {
  received,
  roomLog,
  /** The budget of answers to relayed pings (rate a second, burst); a measurement harness may raise it. */
  relayedReplies,
  get room() { return room; },
  get peers() {
    return [...links.values()].map((l) => ({
      ...l.peer, path: l.path, rtt: l.rtt, rttPath: l.rttPath, polite: l.polite, state: l.pc.connectionState, ice: l.pc.iceConnectionState,
      gathering: l.pc.iceGatheringState, signaling: l.pc.signalingState, channel: l.channel?.readyState ?? 'none', events: l.events,
    }));
  },

  async join(roomId) {
    if (room && room !== roomId) await this.leave();
    // Set before the answer: a peer-joined frame may come first and must count for this room.
    room = roomId;
    roomProblem = null;
    let answer;
    try {
      answer = await session.request('join-room', { room: roomId });
    } catch (e) {
      // Refused: the page is in no room, so the peers card must not say it is alone in one.
      if (room === roomId) {
        room = null;
        roomProblem = e.describe?.() ?? e.message;
        for (const link of [...links.values()]) removePeer(link.peer, false);
        render();
      }
      throw e;
    }
    // Left (another zone entered) while the answer was on its way: these are not the page's peers any more.
    if (room !== roomId) return;
    for (const peer of answer.peers) addPeer(peer);
    // Drawn even with nobody there: the card says the page is alone in the room, not that it is in none.
    render();
  },

  async leave() {
    const left = room;
    room = null;
    roomProblem = null;
    for (const link of [...links.values()]) removePeer(link.peer, false);
    render();
    if (left && session.ready) await session.request('leave-room', { room: left }).catch(() => {});
  },

  broadcast(message) {
    for (const link of links.values()) link.send(message);
  },

  /** A wave over the data channel, or relayed by the nodes; rejects when it could not leave (peer gone, signal refused). */
  async wave(peerId) {
    const link = links.get(peerId);
    if (!link) throw new Error('they left the room');
    if (link.open) return link.send({ t: 'wave', n: 0, ts: 0 });
    // The relayed path's answer is awaited here (pings and positions do not wait for theirs).
    await session.request('signal', { to: peerId, data: { kind: 'wave', n: 0, ts: 0 } });
    return 'relayed';
  },

  /**
   * One round trip to a peer on the path asked for, 'channel' or 'relayed' (through the nodes), in ms: the page's own
   * ping, forced onto that path and kept out of the peer list. For the rtc-roundtrip benchmark
   * (bench/P2PActors.Benchmarks/RtcRoundTripHarness.cs); the page never calls it.
   */
  probe(peerId, path) {
    const link = links.get(peerId);
    if (!link || (path === 'channel' && !link.open)) return Promise.reject(new Error(`no ${path} path to ${peerId}`));
    const n = ++link.pingSeq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { link.probes.delete(n); reject(new Error(`no pong to probe ${n} within 10 s`)); }, 10000);
      link.probes.set(n, (ms, back) => {
        clearTimeout(timer);
        link.probes.delete(n);
        if (back === path) resolve(ms); else reject(new Error(`probe ${n} went ${path} and came back ${back}`));
      });
      link.reply({ t: 'ping', n, ts: performance.now() }, path);
    });
  },

  async selectedPair(peerId) {
    return links.get(peerId)?.selectedPair() ?? null;
  },

  onPosition(handler) { positionHandlers.push(handler); },
  onPeerLeft(handler) { leftHandlers.push(handler); },
};

export function initRtc() {
  session.on('peer-joined', (f) => { if (f.room === room) { addPeer(f.peer); logRoom(`peer-joined: ${f.peer.playerId}`); } });
  session.on('peer-left', (f) => { if (f.room === room) removePeer(f.peer, true); });
  session.on('signal', (f) => {
    if (!f.data || typeof f.data !== 'object') return;
    const link = links.get(f.from);
    if (link) link.onSignal(f.data);
    else if (room && typeof f.from === 'string' && early.size < 64) {
      const list = early.get(f.from) ?? [];
      if (list.length < 256) list.push(f.data);
      early.set(f.from, list);
    }
  });
  session.on('disconnected', () => { for (const link of [...links.values()]) removePeer(link.peer, false); room = null; roomProblem = null; early.clear(); });
  setInterval(() => { for (const link of links.values()) link.ping(); }, PING_EVERY_MS);
  render();
}

function render() {
  const list = $('peer-list');
  if (!list) return;
  if (links.size === 0) {
    clear(list, h('li', { class: 'muted' }, room ? 'Alone in this room.'
      : roomProblem ? `No peer-to-peer room: ${roomProblem}` : 'Enter a zone to meet its players.'));
    return;
  }
  clear(list, [...links.values()].map((l) => h('li', { 'data-peer': l.peer.peerId, 'data-player': l.peer.playerId, 'data-path': l.path },
    h('span', { class: 'grow', title: `${l.peer.peerId} on ${l.peer.node}\nICE ${l.pc.connectionState}` },
      h('strong', {}, l.peer.playerId), ' ', h('span', { class: 'muted small' }, `via ${l.peer.node?.replace(/^akka\.tcp:\/\/[^@]+@/, '') ?? '?'}`)),
    h('span', { class: `badge ${l.path}`, title: l.path === 'channel' ? 'WebRTC data channel open' : 'relayed through the nodes' }, l.path === 'channel' ? 'P2P' : 'relayed'),
    h('span', { class: 'small mono', 'data-rtt': l.rtt ?? '', 'data-rtt-path': l.rttPath ?? '', title: l.rttPath ? `round trip measured ${l.rttPath === 'channel' ? 'over the data channel' : 'through the nodes'}` : '' },
      l.rtt === null ? '–' : `${l.rtt.toFixed(1)} ms`),
    h('button', { type: 'button', class: 'small', title: `Wave at ${l.peer.playerId}`, onclick: () => rtc.wave(l.peer.peerId).then(
      () => toast(`You waved at ${l.peer.playerId}.`),
      (e) => toast(`Your wave did not reach ${l.peer.playerId}: ${e.describe?.() ?? e.message}`)),
    'aria-label': `Wave at ${l.peer.playerId}` }, 'Wave'))));
}

