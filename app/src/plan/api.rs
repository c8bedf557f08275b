//! The plan's server functions: each finds who is asking, asks the policy (through
//! `service::context`) and calls the service. Form posts end in a redirect (see `forms`).
use leptos::prelude::*;
use uuid::Uuid;

use super::input::{AboutMe, ActionForm, Contact, Contingency, GoalForm, SupportForm};
use super::{ActionView, HistoryView, PlanView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::service::{self, Ctx},
    crate::access::Permission as Verb,
    crate::forms::finish,
    crate::state::AppState,
};

#[cfg(feature = "ssr")]
/// Whose plan the signed-in account is working on (their own, or the person a carer chose),
/// once the policy allows `verb`; a carer's request is written to that person's access log.
pub(crate) async fn ctx(verb: Verb) -> Result<(AppState, Ctx), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    let patient = crate::access::current_person(&state, &session, account)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = service::for_patient(&state, account, verb, patient).await?;
    crate::auth::audit::carer_access(&state, &ctx, verb).await?;
    Ok((state, ctx))
}

/// Only our own pages are places to go back to (never another site).
#[cfg(feature = "ssr")]
pub(crate) fn local_path(back: &str, default: &str) -> String {
    crate::forms::local_path(back, default)
}

#[server(prefix = "/api/plan", endpoint = "plan")]
pub async fn my_plan() -> Result<PlanView, AppError> {
    let (state, ctx) = ctx(Verb::ReadPlan).await?;
    crate::state::remembered::page(&state, ctx.remembered_as("plan", ""), || async {
        Ok(crate::state::remembered::Fresh::for_the_day(
            service::plan(&state, &ctx).await?,
        ))
    })
    .await
}

#[server(prefix = "/api/plan", endpoint = "history")]
pub async fn plan_history() -> Result<HistoryView, AppError> {
    let (state, ctx) = ctx(Verb::ReadPlan).await?;
    service::history(&state, &ctx).await
}

#[server(prefix = "/api/plan", endpoint = "action")]
pub async fn action_detail(id: Uuid) -> Result<ActionView, AppError> {
    let (state, ctx) = ctx(Verb::ReadPlan).await?;
    service::action(&state, &ctx, id).await
}

#[server(prefix = "/api/plan", endpoint = "about_me")]
pub async fn save_about_me(#[server(flatten)] form: AboutMe) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::save_about_me(&state, &ctx, &form).await
    }
    .await;
    finish(
        result,
        "about-me",
        &form,
        "Your \"About me\" is saved.",
        "/plan#about-me",
        "/plan/about-me",
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "goal")]
pub async fn save_goal(
    #[server(default)] id: String,
    #[server(flatten)] form: GoalForm,
) -> Result<(), AppError> {
    let existing = Uuid::parse_str(id.trim()).ok();
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::save_goal(&state, &ctx, existing, &form).await
    }
    .await;
    let back = match existing {
        Some(id) => format!("/plan/goals/{id}"),
        None => "/plan/goals/new".to_owned(),
    };
    let (outcome, next) = match result {
        Ok(id) => (Ok(()), format!("/plan/goals/{id}")),
        Err(e) => (Err(e), back.clone()),
    };
    let notice = if existing.is_some() {
        "Your goal is saved."
    } else {
        "Your goal is saved. Now add the first step towards it."
    };
    finish(outcome, "goal", &form, notice, &next, &back).await
}

#[server(prefix = "/api/plan", endpoint = "action_save")]
pub async fn save_action(
    #[server(default)] id: String,
    #[server(flatten)] form: ActionForm,
) -> Result<(), AppError> {
    let existing = Uuid::parse_str(id.trim()).ok();
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::save_action(&state, &ctx, existing, &form).await
    }
    .await;
    let back = match existing {
        Some(id) => format!("/plan/actions/{id}"),
        None => format!("/plan/goals/{}/actions/new", form.goal.trim()),
    };
    let (outcome, next) = match result {
        Ok(id) => (Ok(()), format!("/plan/actions/{id}")),
        Err(e) => (Err(e), back.clone()),
    };
    finish(
        outcome,
        "action",
        &form,
        "Your action is saved.",
        &next,
        &back,
    )
    .await
}

#[cfg(feature = "ssr")]
#[derive(serde::Serialize)]
struct LogAnswers<'a> {
    day: &'a str,
    note: &'a str,
}

/// Records done / partly / not today for an action on a day (today unless back-dated).
#[server(prefix = "/api/plan", endpoint = "log")]
pub async fn log_action(
    action: Uuid,
    #[server(default)] outcome: String,
    #[server(default)] day: String,
    #[server(default)] note: String,
    #[server(default)] client_id: Option<Uuid>,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::LogActions).await?;
        let day = if day.trim().is_empty() {
            ctx.today().to_string()
        } else {
            day.clone()
        };
        service::log_action(&state, &ctx, action, &day, &outcome, &note, client_id).await
    }
    .await;
    let back = local_path(&back, "/today");
    let notice = match super::schedule::Outcome::parse(&outcome) {
        Some(o) => format!("Saved: {}.", o.label().to_lowercase()),
        None => "Saved.".to_owned(),
    };
    let answers = LogAnswers {
        day: &day,
        note: &note,
    };
    finish(
        result,
        &format!("log-{action}"),
        &answers,
        &notice,
        &back,
        &back,
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "undo")]
pub async fn undo_log(
    action: Uuid,
    day: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::LogActions).await?;
        service::undo_log(&state, &ctx, action, &day).await
    }
    .await;
    let back = local_path(&back, "/today");
    finish(
        result,
        &format!("log-{action}"),
        &(),
        "Undone: that day is blank again.",
        &back,
        &back,
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "contingency")]
pub async fn save_contingency(#[server(flatten)] form: Contingency) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::save_contingency(&state, &ctx, &form).await
    }
    .await;
    finish(
        result,
        "contingency",
        &form,
        "Your contingency plan is saved.",
        "/plan#contingency",
        "/plan/contingency",
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "contact_add")]
pub async fn add_contact(#[server(flatten)] form: Contact) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::add_contact(&state, &ctx, &form).await
    }
    .await;
    finish(
        result,
        "contact",
        &form,
        "Contact added.",
        "/plan/contingency",
        "/plan/contingency",
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "contact_remove")]
pub async fn remove_contact(id: Uuid) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::remove_contact(&state, &ctx, id).await
    }
    .await;
    finish(
        result,
        "contact",
        &(),
        "Contact removed.",
        "/plan/contingency",
        "/plan/contingency",
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "support_add")]
pub async fn add_support(#[server(flatten)] form: SupportForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::add_support(&state, &ctx, &form).await.map(|_| ())
    }
    .await;
    finish(
        result,
        "support",
        &form,
        "Added to your support and groups.",
        "/plan/support",
        "/plan/support",
    )
    .await
}

#[server(prefix = "/api/plan", endpoint = "support_status")]
pub async fn support_status(id: Uuid, #[server(default)] status: String) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = ctx(Verb::ChangePlan).await?;
        service::set_support_status(&state, &ctx, id, &status).await
    }
    .await;
    finish(
        result,
        &format!("support-{id}"),
        &(),
        "Thank you, that is saved.",
        "/plan/support",
        "/plan/support",
    )
    .await
}
