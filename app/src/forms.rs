//! Forms that work with JavaScript off and update in place with it on.
//!
//! Every form is a plain HTML form posting to a server function. The server answers a form post
//! with a redirect (post/redirect/get): on success to the next page with a notice, on a problem
//! back to the form with the person's answers and a message beside each field, both carried in
//! the session as a one-time "flash" (never in the URL: answers can hold health data).
//!
//! With JavaScript on, the [`Enhance`] island sends the same post with `fetch`, follows the same
//! redirect and swaps the page's content in place, so the server renders errors and results the
//! same way in both cases and there is one code path to test.
use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a form post leaves for the next page: the notice to show, or the answers and errors of
/// the form (`form`) that needs correcting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub form: Option<String>,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, Vec<String>>,
    pub notice: Option<String>,
}

/// Takes (and so clears) this browser's flash.
#[server(prefix = "/api/forms", endpoint = "flash")]
pub async fn take_flash() -> Result<Flash, AppError> {
    let session = crate::session::from_request().await?;
    let flash = crate::session::take::<Flash>(&session, FLASH_KEY).await?;
    Ok(flash.unwrap_or_default())
}

#[cfg(feature = "ssr")]
const FLASH_KEY: &str = "flash";

/// Finishes a form post. A post from a browser form (it accepts HTML) always ends in a redirect:
/// to `next` with `notice` on success, or back to `back` with the answers and the problems. Any
/// other caller gets the plain result.
#[cfg(feature = "ssr")]
pub async fn finish<T: Serialize>(
    result: Result<(), AppError>,
    form: &str,
    answers: &T,
    notice: &str,
    next: &str,
    back: &str,
) -> Result<(), AppError> {
    if !from_browser_form() {
        return result;
    }
    let flash = match result {
        Ok(()) => Flash {
            notice: Some(notice.to_owned()),
            ..Flash::default()
        },
        Err(AppError::Unauthorized) => {
            leptos_axum::redirect("/");
            return Ok(());
        }
        Err(err) => Flash {
            form: Some(form.to_owned()),
            values: answers_map(answers),
            errors: match err {
                AppError::Validation(errors) => errors,
                other => BTreeMap::from([("form".to_owned(), vec![other.to_string()])]),
            },
            notice: None,
        },
    };
    // Every place a form sends the browser is one of our own pages, whoever wrote the path.
    let to = local_path(if flash.form.is_some() { back } else { next }, "/today");
    let session = crate::session::from_request().await?;
    session
        .insert(FLASH_KEY, flash)
        .await
        .map_err(AppError::internal)?;
    leptos_axum::redirect(&to);
    Ok(())
}

/// `candidate` if it is a path on this site that every browser reads the same way, else
/// `default`. Browsers drop tabs and newlines from addresses and read `\` as `/`, so
/// `/\t/evil.example` would leave the site: no control character, space or backslash, and
/// never `//` at the start. (A control character in a `Location` header also cannot be sent.)
pub fn local_path(candidate: &str, default: &str) -> String {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && candidate.len() <= 2000
        && candidate
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if ok {
        candidate.to_owned()
    } else {
        default.to_owned()
    }
}

/// Leaves a flash for the next page from outside a server function (a plain axum handler,
/// such as the file upload).
#[cfg(feature = "ssr")]
pub async fn store_flash(session: &tower_sessions::Session, flash: Flash) -> Result<(), AppError> {
    session
        .insert(FLASH_KEY, flash)
        .await
        .map_err(AppError::internal)
}

/// A post from an HTML form (or our island imitating one) asks for HTML back.
#[cfg(feature = "ssr")]
fn from_browser_form() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The answers as field → text (lists joined by spaces), to put back in the form.
#[cfg(feature = "ssr")]
fn answers_map<T: Serialize>(answers: &T) -> BTreeMap<String, String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(answers) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// One form's view of the flash: answers and errors apply only to the form they came from.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    /// Distinguishes several forms on one page; also prefixes the fields' ids.
    pub id: String,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, Vec<String>>,
}

impl FormState {
    pub fn new(id: impl Into<String>, flash: &Flash) -> Self {
        let id = id.into();
        let mine = flash.form.as_deref() == Some(id.as_str());
        Self {
            values: if mine {
                flash.values.clone()
            } else {
                BTreeMap::new()
            },
            errors: if mine {
                flash.errors.clone()
            } else {
                BTreeMap::new()
            },
            id,
        }
    }

    /// What the person typed last time, or else the saved value.
    pub fn value(&self, field: &str, saved: impl Into<String>) -> String {
        self.values
            .get(field)
            .cloned()
            .unwrap_or_else(|| saved.into())
    }

    /// Was this checkbox (posted as `<field>_<option>=on`) ticked?
    pub fn chosen(&self, field: &str, option: &str, saved: bool) -> bool {
        if self.values.is_empty() {
            saved
        } else {
            self.values
                .get(&format!("{field}_{option}"))
                .is_some_and(|v| v == "on")
        }
    }

    /// Whether the last post of this form was refused (so a folded form should open).
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn errors(&self, field: &str) -> Vec<String> {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    pub fn field_id(&self, field: &str) -> String {
        format!("{}-{field}", self.id)
    }
}

/// The error summary at the top of a form that needs correcting: each problem links to its field.
#[component]
pub fn ErrorSummary(state: FormState) -> impl IntoView {
    if state.errors.is_empty() {
        return ().into_any();
    }
    let items = state
        .errors
        .iter()
        .flat_map(|(field, messages)| {
            let href = if field == "form" {
                format!("#{}", state.id)
            } else {
                format!("#{}", state.field_id(field))
            };
            messages
                .iter()
                .map(move |m| view! { <li><a href=href.clone()>{m.clone()}</a></li> })
        })
        .collect_view();
    view! {
        <div class="nhsuk-error-summary" aria-labelledby=format!("{}-error-title", state.id) role="alert" tabindex="-1" data-autofocus="">
            <h2 class="nhsuk-error-summary__title" id=format!("{}-error-title", state.id)>"There is a problem"</h2>
            <div class="nhsuk-error-summary__body">
                <ul class="nhsuk-list nhsuk-error-summary__list">{items}</ul>
            </div>
        </div>
    }
    .into_any()
}

/// A success notice from the last form post.
#[component]
pub fn Notice(flash: Flash) -> impl IntoView {
    flash.notice.map(|text| {
        view! {
            <div class="nhsuk-inset-text app-notice" id="notice" role="status" tabindex="-1">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>{text}</p>
            </div>
        }
    })
}

fn error_lines(id: &str, errors: &[String]) -> impl IntoView + use<> {
    let id = format!("{id}-error");
    (!errors.is_empty()).then(|| {
        let text = errors.join(". ");
        view! {
            <span class="nhsuk-error-message" id=id>
                <span class="nhsuk-u-visually-hidden">"Error: "</span>{text}
            </span>
        }
    })
}

fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut parts = Vec::new();
    if hint {
        parts.push(format!("{id}-hint"));
    }
    if error {
        parts.push(format!("{id}-error"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn group_class(error: bool) -> &'static str {
    if error {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

/// A one-line text (or date, tel, number) input.
#[component]
pub fn TextField(
    state: FormState,
    name: &'static str,
    label: String,
    #[prop(optional)] hint: &'static str,
    #[prop(into)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let id = state.field_id(name);
    let errors = state.errors(name);
    let error = !errors.is_empty();
    let value = state.value(name, value);
    let input_class = format!(
        "nhsuk-input {class}{}",
        if error { " nhsuk-input--error" } else { "" }
    );
    view! {
        <div class=group_class(error)>
            <label class="nhsuk-label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            {error_lines(&id, &errors)}
            <input class=input_class id=id.clone() name=name type=kind value=value
                autocomplete=autocomplete aria-describedby=described_by(&id, !hint.is_empty(), error) />
        </div>
    }
}

/// A multi-line answer.
#[component]
pub fn TextArea(
    state: FormState,
    #[prop(into)] name: String,
    label: String,
    #[prop(optional)] hint: &'static str,
    #[prop(into)] value: String,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    let id = state.field_id(&name);
    let errors = state.errors(&name);
    let error = !errors.is_empty();
    let value = state.value(&name, value);
    let class = if error {
        "nhsuk-textarea nhsuk-textarea--error"
    } else {
        "nhsuk-textarea"
    };
    view! {
        <div class=group_class(error)>
            <label class="nhsuk-label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            {error_lines(&id, &errors)}
            <textarea class=class id=id.clone() name=name rows=rows
                aria-describedby=described_by(&id, !hint.is_empty(), error)>{value}</textarea>
        </div>
    }
}

/// Pick one from a short list, shown as radio buttons.
#[component]
pub fn Radios(
    state: FormState,
    name: &'static str,
    legend: String,
    #[prop(optional)] hint: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] value: String,
    #[prop(optional)] inline: bool,
) -> impl IntoView {
    let id = state.field_id(name);
    let errors = state.errors(name);
    let error = !errors.is_empty();
    let value = state.value(name, value);
    let radios = options
        .into_iter()
        .enumerate()
        .map(|(i, (code, label))| {
            // The first radio carries the field's id, so the error summary can link to it.
            let rid = if i == 0 { id.clone() } else { format!("{id}-{i}") };
            let checked = code == value;
            view! {
                <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id=rid.clone() name=name type="radio" value=code checked=checked />
                    <label class="nhsuk-label nhsuk-radios__label" for=rid>{label}</label>
                </div>
            }
        })
        .collect_view();
    let radios_class = if inline {
        "nhsuk-radios nhsuk-radios--inline"
    } else {
        "nhsuk-radios"
    };
    view! {
        <div class=group_class(error)>
            <fieldset class="nhsuk-fieldset" aria-describedby=described_by(&id, !hint.is_empty(), error)>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
                {error_lines(&id, &errors)}
                <div class=radios_class>{radios}</div>
            </fieldset>
        </div>
    }
}

/// Pick any number of options; each checkbox posts `name_<code>=on`.
#[component]
pub fn Checkboxes(
    state: FormState,
    name: &'static str,
    legend: String,
    #[prop(optional)] hint: &'static str,
    options: Vec<(String, String)>,
    chosen: Vec<String>,
) -> impl IntoView {
    let id = state.field_id(name);
    let errors = state.errors(name);
    let error = !errors.is_empty();
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(i, (code, label))| {
            let bid = if i == 0 { id.clone() } else { format!("{id}-{i}") };
            let checked = state.chosen(name, &code, chosen.contains(&code));
            view! {
                <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id=bid.clone() name=format!("{name}_{code}") type="checkbox" value="on" checked=checked />
                    <label class="nhsuk-label nhsuk-checkboxes__label" for=bid>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class=group_class(error)>
            <fieldset class="nhsuk-fieldset" aria-describedby=described_by(&id, !hint.is_empty(), error)>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
                {error_lines(&id, &errors)}
                <div class="nhsuk-checkboxes">{boxes}</div>
            </fieldset>
        </div>
    }
}

/// Pick one from a longer list, as a drop-down; `prompt`, when given, is the empty first choice.
#[component]
pub fn Select(
    state: FormState,
    name: &'static str,
    label: &'static str,
    #[prop(optional)] prompt: &'static str,
    #[prop(optional)] hint: &'static str,
    options: Vec<(String, String)>,
    /// The saved choice, shown unless the person has just chosen another.
    #[prop(optional, into)]
    value: String,
) -> impl IntoView {
    let id = state.field_id(name);
    let errors = state.errors(name);
    let error = !errors.is_empty();
    let chosen = state.value(name, value);
    view! {
        <div class=group_class(error)>
            <label class="nhsuk-label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            {error_lines(&id, &errors)}
            <select class="nhsuk-select" id=id.clone() name=name aria-describedby=described_by(&id, !hint.is_empty(), error)>
                {(!prompt.is_empty()).then(|| view! { <option value="">{prompt}</option> })}
                {options.into_iter().map(|(code, text)| {
                    let selected = code == chosen;
                    view! { <option value=code selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Options from a `[(code, label)]` table.
pub fn options(table: &[(&str, &str)]) -> Vec<(String, String)> {
    table
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .collect()
}

/// The form field that carries a post's idempotency key (see [`IdempotencyKey`]).
pub const IDEMPOTENCY_FIELD: &str = "idempotency_key";

/// Put inside every form that posts. A fresh random key each time the form is drawn: the
/// server does a post once per key, and answers the same post sent again (the button pressed
/// again after "this may not be saved", a reload, the phone's offline queue) with where the
/// first one led. See `server::idempotency`.
#[component]
pub fn IdempotencyKey() -> impl IntoView {
    // Drawn on the server only: forms are never drawn in the browser (they are not in islands).
    #[cfg(feature = "ssr")]
    let key = uuid::Uuid::new_v4().to_string();
    #[cfg(not(feature = "ssr"))]
    let key = String::new();
    view! { <input type="hidden" name=IDEMPOTENCY_FIELD value=key /> }
}

/// Makes every `<form data-enhance>` inside it post with `fetch` and swap `#page-content` in
/// place, instead of loading a new page. Without JavaScript, the forms simply post.
#[island]
pub fn Enhance(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = root.get() {
            enhance::attach(&el);
        }
    });
    view! { <div node_ref=root>{children()}</div> }
}

/// The page content an [`Enhance`] island swaps; put the whole page inside it.
#[component]
pub fn PageContent(children: Children) -> impl IntoView {
    view! {
        <Enhance>
            <div id="page-content">{children()}</div>
        </Enhance>
        <div id="live-status" class="nhsuk-u-visually-hidden" aria-live="polite"></div>
    }
}

#[cfg(feature = "hydrate")]
mod enhance {
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

    async fn fetch_post(
        url: &str,
        body: &UrlSearchParams,
        page: bool,
    ) -> Result<Response, JsValue> {
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
}

#[cfg(test)]
mod local_path_tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for ok in [
            "/today",
            "/plan/goals/1?x=2",
            "/results#hba1c",
            "/plan/caf%C3%A9",
        ] {
            assert_eq!(local_path(ok, "/d"), ok);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\tevil",
            "/\u{9}/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil",
            "/a b",
            "",
        ] {
            assert_eq!(local_path(bad, "/d"), "/d", "{bad:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flash() -> Flash {
        Flash {
            form: Some("goal".into()),
            values: BTreeMap::from([
                ("title".to_owned(), "What I typed".to_owned()),
                ("conditions_copd".to_owned(), "on".to_owned()),
            ]),
            errors: BTreeMap::from([("title".to_owned(), vec!["Enter your goal".to_owned()])]),
            notice: None,
        }
    }

    #[test]
    fn answers_and_errors_go_back_only_to_the_form_they_came_from() {
        let goal = FormState::new("goal", &flash());
        assert_eq!(goal.value("title", "saved"), "What I typed");
        assert_eq!(goal.errors("title"), ["Enter your goal"]);
        assert_eq!(goal.field_id("title"), "goal-title");
        let other = FormState::new("action", &flash());
        assert_eq!(other.value("title", "saved"), "saved");
        assert!(other.errors("title").is_empty());
    }

    #[test]
    fn a_returned_form_shows_exactly_the_boxes_that_were_ticked() {
        let goal = FormState::new("goal", &flash());
        assert!(goal.chosen("conditions", "copd", false));
        assert!(
            !goal.chosen("conditions", "asthma", true),
            "unticked although saved"
        );
        let fresh = FormState::new("goal", &Flash::default());
        assert!(
            fresh.chosen("conditions", "asthma", true),
            "the saved choice"
        );
    }
}
