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
use crate::session::FLASH_KEY;

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
    crate::session::put(&session, FLASH_KEY, flash).await?;
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
    crate::session::put(session, FLASH_KEY, flash).await
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
    /// Short choices side by side (days of the week), wrapping as the screen needs.
    #[prop(optional)]
    inline: bool,
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
                <div class=if inline { "nhsuk-checkboxes app-checkboxes--inline" } else { "nhsuk-checkboxes" }>{boxes}</div>
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
mod enhance;

#[cfg(test)]
mod tests;
