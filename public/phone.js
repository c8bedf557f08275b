// What Alongside keeps on this phone, and only with the person's say-so:
// - Logging an action with no signal. When the phone is offline, a "Done / Partly / Not today"
//   tap is kept on this phone (localStorage, in order, each with its own id) and sent when the
//   phone is back online; the server records each id once, so sending again never doubles it.
// - "Keep my plan on this phone" (off unless chosen): a copy of the plan and Today in the
//   `alongside-plan` cache, which the service worker keeps fresh and shows when offline.
// Signing out clears all of it (the server sends Clear-Site-Data).
const KEY = "alongside-log-queue";

const queue = () => JSON.parse(localStorage.getItem(KEY) || "[]");
const save = (items) => localStorage.setItem(KEY, JSON.stringify(items));

function say(text) {
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
    save([...queue(), fields]);
    say("Saved on this phone. It will be sent when you are back online.");
  },
  true,
);

let sending = false;
async function send() {
  if (sending || !navigator.onLine) return;
  sending = true;
  let sent = 0;
  try {
    for (let items = queue(); items.length > 0; items = queue()) {
      const response = await fetch("/api/plan/log", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(items[0]),
      });
      // A refusal will not change by trying again (the action was stopped, the day is too old).
      if (!response.ok && response.status < 400) break;
      save(queue().slice(1));
      if (response.ok) sent += 1;
    }
  } catch {
    // Still no connection: try again when the phone says it is online.
  } finally {
    sending = false;
  }
  if (sent > 0) say(sent === 1 ? "Sent. Your log is with your plan." : `Sent. ${sent} logs are with your plan.`);
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
// Forms update the page in place; show the choice again when its section comes back.
new MutationObserver(() => {
  const box = document.getElementById("keep-plan");
  if (box && box.hidden) showKeepPlan();
}).observe(document.body, { childList: true, subtree: true });
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
// Forms update the page in place; show the choice again when its section comes back.
new MutationObserver(() => {
  const box = document.getElementById("keep-plan");
  if (box && box.hidden) showKeepPlan();
}).observe(document.body, { childList: true, subtree: true });
