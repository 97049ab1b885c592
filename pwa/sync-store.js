// Lastmile sync storage: the IndexedDB schema and the push of pending mutations, in one file shared by the
// pages (loaded as a module) and the service worker (importScripts: a classic worker cannot import modules),
// so both speak one schema and one push. That is why this file has no import/export: it sets
// globalThis.LastmileSyncStore, and in a service worker it answers Background Sync's "lastmile-push".
{
  const DB_NAME = "lastmile-sync";
  const DB_VERSION = 1;
  const PUSH_LOCK = "lastmile-push";
  const CHANNEL = "lastmile-sync";
  const SYNC_TAG = "lastmile-push";
  const PUSH_BATCH = 50; // the server takes up to LASTMILE_SYNC_MAX_MUTATIONS (100 by default) per push

  // One IDB request as a promise.
  const req = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

  let opening = null;

  // The database, created on first use: meta (key → value), view (the server's view at the last pull),
  // pending (mutations not yet dropped by a pull, keyed by their id).
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("meta");
          db.createObjectStore("view");
          db.createObjectStore("pending", { keyPath: "id" });
        };
        request.onsuccess = () => {
          const db = request.result;
          db.onversionchange = () => {
            db.close();
            opening = null;
          };
          resolve(db);
        };
        request.onerror = () => reject(request.error);
      });
      opening.catch(() => (opening = null));
    }
    return opening;
  }

  // Run fn(stores) in one transaction; fn may await IDB requests (and nothing else) while it runs.
  async function run(names, mode, fn) {
    const db = await open();
    const tx = db.transaction(names, mode);
    const finished = new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new DOMException("transaction aborted", "AbortError"));
    });
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    let result;
    try {
      result = await fn(stores, tx);
    } catch (error) {
      try {
        tx.abort();
      } catch {}
      finished.catch(() => {});
      throw error;
    }
    await finished;
    return result;
  }

  // Several meta values at once.
  async function readMeta(names) {
    return run(["meta"], "readonly", async ({ meta }) => {
      const out = {};
      for (const name of names) out[name] = await req(meta.get(name));
      return out;
    });
  }

  function broadcast(message) {
    try {
      const channel = new BroadcastChannel(CHANNEL);
      channel.postMessage(message);
      channel.close();
    } catch {}
  }

  class AuthExpired extends Error {}

  // Lie-fi: a request that hangs must not hold the push lock (and every tab) forever.
  const timeoutSignal = (ms = 30_000) => (AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined);

  // Mutations after the last acknowledged one, oldest first.
  async function unpushed() {
    return run(["meta", "pending"], "readonly", async ({ meta, pending }) => {
      const session = await req(meta.get("session"));
      const clientId = await req(meta.get("clientId"));
      const done = Math.max((await req(meta.get("pushedThrough"))) || 0, (await req(meta.get("lastMutationId"))) || 0);
      const list = await req(pending.getAll(IDBKeyRange.lowerBound(done, true)));
      return { session, clientId, list };
    });
  }

  // Remember how far the server got. Pending entries stay until a pull drops them (its patch carries their
  // effect), so the optimistic view never flickers between push and pull.
  async function acknowledge(lastMutationId) {
    await run(["meta"], "readwrite", async ({ meta }) => {
      const before = (await req(meta.get("pushedThrough"))) || 0;
      if (lastMutationId > before) meta.put(lastMutationId, "pushedThrough");
    });
  }

  async function pushLocked(fetchImpl) {
    let pushed = 0;
    for (;;) {
      const { session, clientId, list } = await unpushed();
      if (!session || session.expired || !clientId || list.length === 0) break;
      const batch = list.slice(0, PUSH_BATCH);
      const response = await fetchImpl("/api/sync/push", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
        body: JSON.stringify({
          clientId,
          schemaVersion: 1,
          mutations: batch.map(({ id, name, args, at }) => ({ id, name, args, at })),
        }),
        cache: "no-store",
        signal: timeoutSignal(),
      });
      if (response.status === 401) {
        await run(["meta"], "readwrite", async ({ meta }) => {
          const current = await req(meta.get("session"));
          if (current && current.token === session.token) meta.put({ ...current, expired: true }, "session");
        });
        broadcast({ type: "session" });
        throw new AuthExpired("the session has expired; sign in again");
      }
      if (!response.ok) throw new Error(`push answered ${response.status}`);
      const body = await response.json();
      await acknowledge(body.lastMutationId);
      pushed += Math.max(0, body.lastMutationId - batch[0].id + 1);
      // Stopped short (a temporary failure on the server): try again later, not in a tight loop.
      if (body.lastMutationId < batch[batch.length - 1].id) break;
    }
    if (pushed) broadcast({ type: "pushed" });
    return pushed;
  }

  // Push pending mutations; the lock makes tabs and the service worker take turns, so none is sent twice.
  function push(fetchImpl = fetch) {
    if (!self.navigator.locks) return pushLocked(fetchImpl);
    return self.navigator.locks.request(PUSH_LOCK, () => pushLocked(fetchImpl));
  }

  self.LastmileSyncStore = { open, run, req, readMeta, push, broadcast, timeoutSignal, AuthExpired, CHANNEL, SYNC_TAG };

  if (typeof ServiceWorkerGlobalScope !== "undefined" && self instanceof ServiceWorkerGlobalScope) {
    // Background Sync: the browser wakes the worker when the network is back, even with no tab open.
    self.addEventListener("sync", (event) => {
      if (event.tag !== SYNC_TAG) return;
      event.waitUntil(
        push().catch((error) => {
          if (!(error instanceof AuthExpired)) throw error; // rejected: the browser retries later
        }),
      );
    });
  }
}
