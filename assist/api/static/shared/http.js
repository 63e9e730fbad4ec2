/* What both desks send with their requests (a bearer key) and how they read a refusal's detail. */

// The Authorization header for `key`; none without a key.
export function bearer(key) {
  return key ? { Authorization: "Bearer " + key } : {};
}

// A failed response's `detail` as text (the status text when the body is not JSON).
export async function errorDetail(response) {
  const detail = await response.json().then((j) => j.detail, () => response.statusText);
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}
