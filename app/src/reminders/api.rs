//! The reminders feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/reminders", endpoint = "view")]
pub async fn load_reminders() -> Result<RemindersView, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::view(&state, account).await
}

#[server(prefix = "/api/reminders", endpoint = "choices")]
pub async fn save_choices(#[server(flatten)] form: ChoicesForm) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (_, account) = crate::session::require_account().await?;
        service::save_choices(&state, account, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        "choices",
        &form,
        "Your reminder choices are saved.",
        "/account/reminders",
        "/account/reminders",
    )
    .await
}

/// Called by the phone's script after the browser subscribed (and again after each sign-in on
/// that device, so the device follows the account signed in there).
#[server(prefix = "/api/reminders", endpoint = "device")]
pub async fn add_device(#[server(flatten)] form: DeviceForm) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::add_device(&state, &session, account, &form).await
}

#[server(prefix = "/api/reminders", endpoint = "remove")]
pub async fn remove_device(#[server(flatten)] form: RemoveDeviceForm) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (_, account) = crate::session::require_account().await?;
        service::remove_device(&state, account, &form.device).await
    }
    .await;
    crate::forms::finish(
        result,
        "remove",
        &form,
        "That device will not get reminders any more.",
        "/account/reminders",
        "/account/reminders",
    )
    .await
}

#[server(prefix = "/api/reminders", endpoint = "test")]
pub async fn send_test() -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (_, account) = crate::session::require_account().await?;
        service::send_test(&state, account).await
    }
    .await;
    crate::forms::finish(
        result,
        "test",
        &(),
        "A test reminder is on its way to your devices.",
        "/account/reminders",
        "/account/reminders",
    )
    .await
}

#[server(prefix = "/api/reminders", endpoint = "open")]
pub async fn open_reminder(id: Uuid) -> Result<OpenView, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::open(&state, &session, account, id).await
}
