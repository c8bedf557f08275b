// Alongside's service worker. The server fills in VERSION and SHELL when it serves this file,
// so each build gets its own cache and the old ones are removed once the new worker takes over.
// It keeps only the app shell (styles, code, icons and the offline page): never a page or an
// answer that could hold someone's health data.
const VERSION = "__VERSION__";
const SHELL_CACHE = `alongside-shell-${VERSION}`;
const SHELL = __SHELL__;
const OFFLINE = "/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

// A new version waits until the person taps "Update" or closes every Alongside tab, so a page in
// use never changes under them.
self.addEventListener("message", (event) => {
  if (event.data === "update") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("alongside-shell-") && name !== SHELL_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  // Pages: always from the network (they are personal and never stored); the offline page
  // when there is no network.
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }

  // The shell: from the cache first, since its file names change with every build.
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
