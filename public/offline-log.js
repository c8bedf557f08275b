// Logging an action with no signal. When the phone is offline, a "Done / Partly / Not today"
// tap is kept on this phone (localStorage, in order, each with its own id) and sent when the
// phone is back online; the server records each id once, so sending again never doubles it.
// Signing out clears it (the server sends Clear-Site-Data).
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
