//! The browser half of the passkey ceremonies (wasm only): hand the server's challenge to
//! `navigator.credentials`, and its answer back. webauthn-rs-proto converts the types.
use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

fn container() -> Result<web_sys::CredentialsContainer, String> {
    web_sys::window()
        .map(|w| w.navigator().credentials())
        .ok_or_else(|| "This browser cannot use passkeys.".to_owned())
}

/// Plain-English words for what the browser said.
fn explain(err: wasm_bindgen::JsValue) -> String {
    let name = js_sys::Reflect::get(&err, &"name".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => "The passkey request was cancelled or timed out. Please try again.",
        "InvalidStateError" => {
            "This device already has a passkey for your account. Sign in with it instead."
        }
        "SecurityError" => "Passkeys are not allowed on this web address.",
        _ => "Something went wrong with the passkey. Please try again.",
    }
    .to_owned()
}

pub async fn create(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, String> {
    let options: web_sys::CredentialCreationOptions = options.into();
    let promise = container()?
        .create_with_options(&options)
        .map_err(explain)?;
    let credential = JsFuture::from(promise).await.map_err(explain)?;
    let credential: web_sys::PublicKeyCredential = credential
        .dyn_into()
        .map_err(|_| "The browser did not return a passkey.".to_owned())?;
    Ok(RegisterPublicKeyCredential::from(credential))
}

/// Asks for a passkey. `autofill`: wait quietly until the person picks one from the browser's
/// autofill list (conditional mediation); otherwise ask now, in the browser's dialog. `abort`
/// lets the page cancel a waiting autofill request before it asks in a dialog.
pub async fn get(
    mut options: RequestChallengeResponse,
    autofill: bool,
    abort: Option<&web_sys::AbortSignal>,
) -> Result<PublicKeyCredential, String> {
    // webauthn-rs marks every discoverable request as conditional.
    if !autofill {
        options.mediation = None;
    }
    let options: web_sys::CredentialRequestOptions = options.into();
    if let Some(signal) = abort {
        options.set_signal(signal);
    }
    let promise = container()?.get_with_options(&options).map_err(explain)?;
    let credential = JsFuture::from(promise).await.map_err(explain)?;
    let credential: web_sys::PublicKeyCredential = credential
        .dyn_into()
        .map_err(|_| "The browser did not return a passkey.".to_owned())?;
    Ok(PublicKeyCredential::from(credential))
}

/// Whether the browser offers passkeys in its autofill list.
pub async fn autofill_available() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(pkc) = js_sys::Reflect::get(&window, &"PublicKeyCredential".into()) else {
        return false;
    };
    let Ok(check) = js_sys::Reflect::get(&pkc, &"isConditionalMediationAvailable".into()) else {
        return false;
    };
    let Ok(check) = check.dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = check.call0(&pkc) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

pub fn go_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

pub fn has_passkeys() -> bool {
    web_sys::window()
        .map(|w| js_sys::Reflect::has(&w, &"PublicKeyCredential".into()).unwrap_or(false))
        .unwrap_or(false)
}

pub fn input_value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Whether the checkbox with this id is ticked (false when there is none).
pub fn is_checked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}
