// What Alongside keeps on this phone, and only with the person's say-so:
// - Logging an action with no signal. When the phone is offline, a "Done / Partly / Not today"
//   tap is kept on this phone (localStorage, in order, each with its own id) and sent when the
//   phone is back online; the server records each id once, so sending again never doubles it.
//   A log leaves the phone only when the server has taken it, or has said it never can (and
//   then the person is told which log and why). A server in trouble (5xx) or no connection:
//   kept, and tried again by itself, waiting longer each time. Signed out (401): kept until
//   the person signs in again.
// - "Keep my plan on this phone" (off unless chosen): a copy of the plan and Today in the
//   `alongside-plan` cache, which the service worker keeps fresh and shows when offline.
// Signing out clears all of it (the server sends Clear-Site-Data).
// - Reminders on this device: the browser is asked for permission only when the person taps
//   "Turn on reminders"; the device's push subscription goes to the server, which keeps it for
//   the account signed in here.
// It also offers a new version of the app when one is waiting (see "Update" below).
const KEY = "alongside-log-queue";

const queue = () => JSON.parse(localStorage.getItem(KEY) || "[]");
const save = (items) => localStorage.setItem(KEY, JSON.stringify(items));

function say(text, signInLink = false) {
  let box = document.getElementById("offline-status");
  if (!box) {
    box = document.createElement("div");
    box.id = "offline-status";
    box.className = "nhsuk-inset-text app-notice";
    box.setAttribute("role", "status");
    const main = document.getElementById("page-content") || document.querySelector("main");
    if (!main) return;
    main.prepend(box);
  }
  box.textContent = text;
  if (signInLink) {
    const link = document.createElement("a");
    // Signing in lands on Today, where this script sends what is kept.
    link.href = "/";
    link.textContent = "Sign in";
    box.append(" ", link);
  }
}

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (navigator.onLine || !(form instanceof HTMLFormElement)) return;
    // getAttribute, not form.action: the form has a field named "action", which shadows it.
    const target = new URL(form.getAttribute("action") || "", location.href).pathname;
    if (target !== "/api/plan/log") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const fields = Object.fromEntries(new FormData(form, event.submitter));
    fields.client_id = crypto.randomUUID();
    delete fields.back;
    // The button's own name ("Done (Walk to the corner)") names the log if it must be reported.
    const label = event.submitter?.getAttribute("aria-label") || event.submitter?.textContent?.trim() || "";
    save([...queue(), { fields, label }]);
    say("Saved on this phone. It will be sent when you are back online.");
  },
  true,
);

// A queued item is { fields, label }; logs queued by an earlier version are the fields alone.
const fieldsOf = (item) => item.fields ?? item;
const labelOf = (item) => item.label || "A log";
const withoutLog = (clientId) => save(queue().filter((item) => fieldsOf(item).client_id !== clientId));

// What the server said about a log it will never take, in its own plain words.
async function reason(response) {
  try {
    const body = await response.json();
    if (typeof body?.Conflict === "string") return body.Conflict;
    const messages = body?.Validation && Object.values(body.Validation)[0];
    if (Array.isArray(messages) && messages.length > 0) return messages[0];
    if (body === "NotFound") return "That action is no longer on the plan.";
  } catch {
    // Not an answer from Alongside: say so plainly below.
  }
  return "Alongside could not take it.";
}

let sending = false;
let retryIn = 5_000;
let retryTimer = null;
async function send() {
  if (sending || !navigator.onLine) return;
  sending = true;
  clearTimeout(retryTimer);
  let sent = 0;
  let later = false;
  let signIn = false;
  const refused = [];
  try {
    for (let items = queue(); items.length > 0; items = queue()) {
      const item = items[0];
      const fields = fieldsOf(item);
      const response = await fetch("/api/plan/log", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
      });
      if (response.ok) {
        withoutLog(fields.client_id);
        sent += 1;
      } else if (response.status === 401) {
        signIn = true;
        break;
      } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
        later = true;
        break;
      } else {
        // This log can never be taken as it is (the action was stopped, the day is too old).
        refused.push(`${labelOf(item)}: ${await reason(response)}`);
        withoutLog(fields.client_id);
      }
    }
  } catch {
    // No connection after all: keep everything and try again.
    later = true;
  } finally {
    sending = false;
  }
  const kept = queue().length;
  const parts = [];
  if (sent > 0) parts.push(sent === 1 ? "Sent. Your log is with your plan." : `Sent. ${sent} logs are with your plan.`);
  if (refused.length > 0) {
    parts.push(`${refused.length === 1 ? "A log" : `${refused.length} logs`} could not be saved, so the phone no longer keeps ${refused.length === 1 ? "it" : "them"}. ${refused.join(". ")}.`);
  }
  if (signIn) {
    parts.push(`${kept === 1 ? "Your log is" : `${kept} logs are`} kept on this phone. Sign in again to send ${kept === 1 ? "it" : "them"}.`);
  } else if (later && kept > 0) {
    parts.push(`${kept === 1 ? "Your log is" : `${kept} logs are`} kept on this phone. Alongside could not take ${kept === 1 ? "it" : "them"} just now, so it will try again by itself.`);
    retryTimer = setTimeout(send, retryIn);
    retryIn = Math.min(retryIn * 2, 5 * 60_000);
  }
  if (!later) retryIn = 5_000;
  if (parts.length > 0) say(parts.join(" "), signIn);
}

window.addEventListener("online", send);
if (queue().length > 0) send();

const PLAN_CACHE = "alongside-plan";
const PLAN_PAGES = ["/today", "/plan"];

async function keepPlan(on) {
  if (on) {
    const cache = await caches.open(PLAN_CACHE);
    await Promise.all(
      PLAN_PAGES.map(async (path) => {
        const response = await fetch(path, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(path, response);
      }),
    );
  } else {
    await caches.delete(PLAN_CACHE);
  }
  showKeepPlan();
}

async function showKeepPlan() {
  const box = document.getElementById("keep-plan");
  if (!box || !("caches" in window)) return;
  const on = await caches.has(PLAN_CACHE);
  box.hidden = false;
  const state = box.querySelector("[data-keep-plan-state]");
  const button = box.querySelector("button");
  if (state) state.textContent = on ? "Your plan is kept on this phone." : "Your plan is not kept on this phone.";
  if (button) {
    button.textContent = on ? "Remove my plan from this phone" : "Keep my plan on this phone";
    button.onclick = () => keepPlan(!on);
  }
}

showKeepPlan();

const PUSH_LINKED = "alongside-push-linked";
const canPush = () => "Notification" in window && "serviceWorker" in navigator && "PushManager" in window;

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

async function sendDevice(subscription) {
  const { endpoint, keys } = subscription.toJSON();
  const response = await fetch("/api/reminders/device", {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ endpoint, p256dh: keys?.p256dh ?? "", auth: keys?.auth ?? "" }),
  });
  return response.ok;
}

async function showPush() {
  const box = document.getElementById("push-device");
  if (!box) return;
  const state = box.querySelector("[data-push-state]");
  const button = box.querySelector("[data-push-on]");
  const say = (text) => {
    state.textContent = text;
  };
  // The button keeps its room while it is not shown (visibility, not `hidden`): it appears
  // only once the browser has answered, and must not move the choices below from under a
  // finger then.
  const showButton = (shown) => {
    button.style.visibility = shown ? "" : "hidden";
  };
  document.getElementById("push-needs-script")?.remove();
  box.hidden = false;
  showButton(false);
  if (!canPush()) {
    say("This browser cannot show reminders. On an iPhone, add Alongside to your home screen first, then open it from there.");
    return;
  }
  if (Notification.permission === "denied") {
    say("Notifications are blocked for Alongside in this browser. To get reminders, allow notifications for this site in your browser's settings.");
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  if (Notification.permission === "granted" && (await registration.pushManager.getSubscription())) {
    say("Reminders are on for this device.");
    return;
  }
  say("Reminders are off on this device.");
  showButton(true);
  button.onclick = async () => {
    button.disabled = true;
    try {
      // The browser asks the person here, on their tap, and never before.
      if ((await Notification.requestPermission()) !== "granted") {
        say("You did not allow notifications, so reminders are still off on this device.");
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.publicKey || ""),
      });
      if (!(await sendDevice(subscription))) throw new Error("not saved");
      sessionStorage.setItem(PUSH_LINKED, subscription.endpoint);
      location.reload();
    } catch {
      say("We could not turn reminders on. Please try again.");
    } finally {
      button.disabled = false;
    }
  };
}

// After signing in on a device that already gets reminders, they follow the account signed
// in now (and stop with its sign-out). Done from Today, where a sign-in lands, once a tab.
async function relinkPush() {
  if (!canPush() || Notification.permission !== "granted") return;
  if (!document.querySelector('form[action="/api/auth/sign_out"]')) return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription || sessionStorage.getItem(PUSH_LINKED) === subscription.endpoint) return;
  if (await sendDevice(subscription)) sessionStorage.setItem(PUSH_LINKED, subscription.endpoint);
}

showPush();
relinkPush();
// Forms update the page in place; show these choices again when their section comes back.
new MutationObserver(() => {
  const box = document.getElementById("keep-plan");
  if (box && box.hidden) showKeepPlan();
  const push = document.getElementById("push-device");
  if (push && push.hidden) showPush();
}).observe(document.body, { childList: true, subtree: true });

// A new version of Alongside waits (see sw.js) rather than change a page in use. When one is
// ready, say so; it takes over when the person taps "Update", or on their next visit after
// every Alongside tab is closed.
let updating = false;
function offerUpdate(worker) {
  if (!navigator.serviceWorker.controller || document.getElementById("app-update")) return;
  const main = document.getElementById("maincontent") || document.querySelector("main");
  if (!main) return;
  const box = document.createElement("div");
  box.id = "app-update";
  box.className = "nhsuk-inset-text app-update app-no-print";
  box.setAttribute("role", "status");
  const text = document.createElement("p");
  text.className = "nhsuk-body";
  text.textContent = "A new version of Alongside is ready.";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0";
  button.textContent = "Update";
  button.onclick = () => {
    updating = true;
    button.disabled = true;
    worker.postMessage("update");
  };
  box.append(text, button);
  main.prepend(box);
}

async function watchForUpdates() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only the person's own tap reloads the page; a first install never does.
    if (updating) location.reload();
  });
  const registration = await navigator.serviceWorker.ready;
  const track = (worker) => {
    if (!worker) return;
    if (worker.state === "installed") offerUpdate(worker);
    else worker.addEventListener("statechange", () => worker.state === "installed" && offerUpdate(worker));
  };
  track(registration.waiting);
  track(registration.installing);
  registration.addEventListener("updatefound", () => track(registration.installing));
}

watchForUpdates();
