//! One post at a time per page. A person can set off several posts at once: leaving a
//! field saves a draft (the `change` event) and the button they pressed to leave it submits
//! the same form a moment later; two forms on Today can be tapped in quick succession.
//! Posts sent side by side could land in either order (a draft overwriting what was just
//! sent) and their page swaps too. So every post is captured when the person acts (what
//! the form held then) and queued; the queue sends them one after another, in order. A
//! draft still waiting when its form is submitted is dropped, as the submit carries the
//! same answers; a draft of a form already being submitted is not sent at all.
//!
//! A post whose outcome is unknown (no answer, or a failed one) is never sent again by
//! itself: the person is told, and decides.
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Document, DomParser, Element, FormData, Headers, HtmlElement, HtmlFormElement, RequestInit,
    Response, SubmitEvent, SupportedType, UrlSearchParams,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The person pressed a button: post, then show the page the server answers with.
    Submit,
    /// A finished edit in a `data-autosave` form: save a draft quietly.
    Draft,
}

struct Post {
    kind: Kind,
    form: HtmlFormElement,
    url: String,
    body: UrlSearchParams,
}

thread_local! {
    static QUEUE: RefCell<VecDeque<Post>> = const { RefCell::new(VecDeque::new()) };
    static SENDING: Cell<bool> = const { Cell::new(false) };
}

/// Marks a form with a submit waiting or on its way.
const BUSY: &str = "aria-busy";

fn enqueue(post: Post) {
    QUEUE.with(|queue| {
        let mut queue = queue.borrow_mut();
        if post.kind == Kind::Submit {
            queue.retain(|p| !(p.kind == Kind::Draft && p.form == post.form));
        }
        queue.push_back(post);
    });
    if !SENDING.replace(true) {
        wasm_bindgen_futures::spawn_local(drain());
    }
}

async fn drain() {
    while let Some(post) = QUEUE.with(|queue| queue.borrow_mut().pop_front()) {
        match post.kind {
            Kind::Submit => submit(post).await,
            Kind::Draft => draft(post).await,
        }
    }
    SENDING.set(false);
}

/// The form's fields now, with the pressed button's name and value, as a form post sends.
fn capture(form: &HtmlFormElement, submitter: Option<&HtmlElement>) -> Result<Post, JsValue> {
    let data = FormData::new_with_form(form)?;
    if let Some(button) = submitter
        && let Some(name) = button.get_attribute("name")
    {
        data.append_with_str(&name, &button.get_attribute("value").unwrap_or_default())?;
    }
    // Not `form.action()`: a field named "action" shadows that property (DOM clobbering).
    let url = form.get_attribute("action").ok_or(JsValue::NULL)?;
    Ok(Post {
        kind: Kind::Submit,
        form: form.clone(),
        url,
        body: UrlSearchParams::new_with_str_sequence_sequence(&data)?,
    })
}

pub fn attach(root: &web_sys::HtmlDivElement) {
    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let Ok(event) = event.dyn_into::<SubmitEvent>() else {
            return;
        };
        let Some(form) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if !form.has_attribute("data-enhance") {
            return;
        }
        if form.has_attribute(BUSY) {
            event.prevent_default();
            return; // a second tap while the first is on its way
        }
        // Nothing has been sent yet: if the post cannot even be put together, the browser
        // posts the form itself.
        let Ok(post) = capture(&form, event.submitter().as_ref()) else {
            return;
        };
        event.prevent_default();
        let _ = form.set_attribute(BUSY, "true");
        enqueue(post);
    });
    let _ = root.add_event_listener_with_callback("submit", handler.as_ref().unchecked_ref());
    handler.forget();
    let autosave = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let Some(form) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("form[data-autosave]").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if form.has_attribute(BUSY) {
            return; // its submit is on its way with these answers
        }
        let Ok(mut post) = capture(&form, None) else {
            return;
        };
        post.body.set("intent", "draft");
        // A draft is not the post the key stands for: the submit after it must not be
        // taken for a resend of the draft.
        post.body.delete(super::IDEMPOTENCY_FIELD);
        post.kind = Kind::Draft;
        enqueue(post);
    });
    let _ = root.add_event_listener_with_callback("change", autosave.as_ref().unchecked_ref());
    autosave.forget();
    // Tells tests (and styles) that forms here now update in place.
    let _ = root.set_attribute("data-enhanced", "");
}

async fn fetch_post(url: &str, body: &UrlSearchParams, page: bool) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    if page {
        let headers = Headers::new()?;
        headers.set("Accept", "text/html")?;
        init.set_headers(&headers);
    }
    JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()
}

/// Saves a draft and says whether it worked, in the form and to screen readers.
async fn draft(post: Post) {
    if post.form.has_attribute(BUSY) || !post.form.is_connected() {
        return;
    }
    let saved = fetch_post(&post.url, &post.body, false)
        .await
        .is_ok_and(|r| r.ok());
    let text = if saved {
        "Draft saved."
    } else {
        "Your draft could not be saved just now. Use the save button."
    };
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        for id in ["live-status", "autosave-status"] {
            if let Some(el) = document.get_element_by_id(id) {
                el.set_text_content(Some(text));
            }
        }
    }
}

async fn submit(post: Post) {
    if let Err(problem) = send(&post).await {
        let _ = post.form.remove_attribute(BUSY);
        tell(problem.message());
    }
}

/// Why a post did not end in a new page.
enum Problem {
    /// No answer came: the post may or may not have arrived.
    NoAnswer,
    /// An answer came, but not a page (the server failed, or something in between).
    Failed,
}

impl Problem {
    fn message(&self) -> &'static str {
        match self {
            Problem::NoAnswer => {
                "Alongside did not answer, so this may not be saved. Check your internet connection. Then look at the page before you try again."
            }
            Problem::Failed => {
                "Something went wrong on our side, so this may not be saved. Look at the page, then try again in a minute."
            }
        }
    }
}

async fn send(post: &Post) -> Result<(), Problem> {
    let response = fetch_post(&post.url, &post.body, true)
        .await
        .map_err(|_| Problem::NoAnswer)?;
    if !response.ok() {
        return Err(Problem::Failed);
    }
    let html = match response.text() {
        Ok(text) => JsFuture::from(text)
            .await
            .map_err(|_| Problem::NoAnswer)?
            .as_string()
            .unwrap_or_default(),
        Err(_) => return Err(Problem::NoAnswer),
    };
    show(&response, &html, post.form.get_attribute("data-focus")).map_err(|_| Problem::Failed)
}

/// Puts the answered page in place of this one.
fn show(response: &Response, html: &str, focus_after: Option<String>) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let document = window.document().ok_or(JsValue::NULL)?;
    let next: Document = DomParser::new()?.parse_from_string(html, SupportedType::TextHtml)?;
    let (Some(old), Some(new)) = (
        document.get_element_by_id("page-content"),
        next.get_element_by_id("page-content"),
    ) else {
        // Not a page we can swap into (signed out, say): go there properly.
        window.location().set_href(&response.url())?;
        return Ok(());
    };
    old.set_inner_html(&new.inner_html());
    document.set_title(&next.title());
    let url = response.url();
    if url != window.location().href()? {
        window
            .history()?
            .push_state_with_url(&JsValue::NULL, "", Some(&url))?;
    }
    announce_and_focus(&document, &old, focus_after.as_deref());
    Ok(())
}

/// Shows a problem at the top of the page, where focus goes, and reads it out.
fn tell(text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(content) = document.get_element_by_id("page-content") else {
        return;
    };
    let box_ = match document.get_element_by_id("post-problem") {
        Some(el) => el,
        None => {
            let Ok(el) = document.create_element("div") else {
                return;
            };
            el.set_id("post-problem");
            el.set_class_name("nhsuk-error-summary");
            let _ = el.set_attribute("role", "alert");
            let _ = el.set_attribute("tabindex", "-1");
            let _ = content.prepend_with_node_1(&el);
            el
        }
    };
    // Fixed text only: nothing the person typed goes into this markup.
    box_.set_inner_html(&format!(
        "<h2 class=\"nhsuk-error-summary__title\">There is a problem</h2>\
         <div class=\"nhsuk-error-summary__body\"><p>{text}</p></div>"
    ));
    if let Ok(el) = box_.dyn_into::<HtmlElement>() {
        let _ = el.focus();
    }
}

fn announce_and_focus(document: &Document, content: &Element, focus_after: Option<&str>) {
    let notice = document.get_element_by_id("notice");
    if let (Some(live), Some(notice)) = (document.get_element_by_id("live-status"), &notice) {
        live.set_text_content(notice.text_content().as_deref());
    }
    let target = content
        .query_selector("[data-autofocus]")
        .ok()
        .flatten()
        .or_else(|| focus_after.and_then(|id| document.get_element_by_id(id)))
        .or(notice);
    if let Some(el) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
