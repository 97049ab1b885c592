// Requests with the shopper's device token for the feature modules (orders, check-in, push subscriptions);
// the sync client's own requests go through SyncClient.api, which also handles an expired session.

/** `method path` with JSON `body` and the signed-in session's bearer token; an Error with the problem's
 * detail, `status` and the whole `problem` body when the answer is not 2xx. */
export async function authed(client, method, path, { body, headers = {} } = {}) {
  const session = client.session;
  const response = await fetch(path, {
    method,
    cache: "no-store",
    headers: { accept: "application/json", "content-type": "application/json", authorization: `Bearer ${session.token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.detail || `HTTP ${response.status}`), { status: response.status, problem: data });
  return data;
}
