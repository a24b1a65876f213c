// What the page knows about its player, shared by the sections through events on one EventTarget.

export const events = new EventTarget();

export const player = {
  /** @type {string | null} */
  name: null,
};

export function emit(type, detail) {
  events.dispatchEvent(new CustomEvent(type, { detail }));
}

export function on(type, handler) {
  events.addEventListener(type, (event) => handler(/** @type {CustomEvent} */ (event).detail));
}
