/* The desk's options, read from its address. */

const params = new URLSearchParams(location.search);
// ?speed=10 plays the sample call ten times faster (the browser tests use it); 1.2 s a turn reads naturally.
export const SPEED = Math.min(100, Math.max(0.1, Number(params.get("speed")) || 1));
export const DEBUG = params.get("debug") === "1"; // ?debug=1 shows the suggestion id, index version and timing
