// Alongside's service worker. The server fills in VERSION and SHELL when it serves this file,
// so each build gets its own cache and the old ones are removed once the new worker takes over.
// It keeps the app shell (styles, code, icons and the offline page), and the plan and Today
// pages only for a person who chose "Keep my plan on this phone"; never anything else.
const VERSION = "__VERSION__";
const SHELL_CACHE = `alongside-shell-${VERSION}`;
const SHELL = __SHELL__;
const OFFLINE = "/offline";
// Only when the person chose "Keep my plan on this phone" (the cache exists then).
const PLAN_CACHE = "alongside-plan";
const PLAN_PAGES = ["/today", "/plan"];

// Nothing the server marks `no-store` is kept, except the plan pages the person asked for.
const storable = (response) => !/no-store/i.test(response.headers.get("Cache-Control") || "");

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) =>
      Promise.all(
        SHELL.map(async (path) => {
          // Past the browser's HTTP cache: the shell must be this version's files.
          const response = await fetch(new Request(path, { cache: "reload" }));
          if (!response.ok) throw new Error(`${path} answered ${response.status}`);
          if (storable(response)) await cache.put(path, response);
        }),
      ),
    ),
  );
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
  // when there is no network. When the server is in trouble (a 5xx), the kept plan if the
  // person chose to keep it, else the server's own page, which says what is happening.
  if (request.mode === "navigate") {
    const keep = PLAN_PAGES.includes(url.pathname);
    const keptCopy = async () =>
      keep && (await caches.has(PLAN_CACHE)) ? (await caches.open(PLAN_CACHE)).match(url.pathname) : undefined;
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.status >= 500) return (await keptCopy()) || response;
          // The plan is never stored unless the person asked for it on this phone.
          if (keep && response.ok && !response.redirected && (await caches.has(PLAN_CACHE))) {
            const copy = response.clone();
            await (await caches.open(PLAN_CACHE)).put(url.pathname, copy);
          }
          return response;
        })
        .catch(async () => (await keptCopy()) || caches.match(OFFLINE)),
    );
    return;
  }

  // The shell: from the cache first, since its file names change with every build.
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});

// A reminder. The server sends only words with no health data in them ("you have a reminder")
// and the page to open; the tag makes a reminder delivered twice show once.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === "string" ? data.title : "Alongside: you have a reminder";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "Open Alongside to see it.",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: typeof data.url === "string" && data.url.startsWith("/") ? data.url : "/today" },
    }),
  );
});

// A tap on a reminder opens its page: in an Alongside tab that is already open if there is
// one, else in a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/today", self.location.origin).href;
  event.waitUntil(
    (async () => {
      // Only tabs this worker controls can be sent to another page.
      const [tab] = await self.clients.matchAll({ type: "window" });
      const opened = tab ? await tab.navigate(url).catch(() => null) : null;
      if (opened) {
        await opened.focus().catch(() => undefined);
      } else {
        await self.clients.openWindow(url);
      }
    })(),
  );
});
