//! The preparation feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/preparation", endpoint = "mine")]
pub async fn load_preparation() -> Result<PreparationView, AppError> {
    let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::AnswerAgenda).await?;
    service::preparation(&state, &ctx).await
}

#[server(prefix = "/api/preparation", endpoint = "answers")]
pub async fn save_agenda(#[server(flatten)] form: AgendaForm) -> Result<(), AppError> {
    let send = form.intent == "send";
    // A carer answering for the person is told about the person's answers, by name.
    let mut whose: Option<String> = None;
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::AnswerAgenda).await?;
        if ctx.capacity() != crate::access::Capacity::Patient {
            whose = Some(ctx.patient().given_name.clone());
        }
        service::save_answers(&state, &ctx, &form.answers, send).await
    }
    .await;
    let notice = match (send, whose) {
        (true, None) => {
            "Your answers are sent to your care team. You can still change them until your review."
                .to_owned()
        }
        (false, None) => {
            "Your answers are saved. The care team sees them only when you send them.".to_owned()
        }
        (true, Some(name)) => format!(
            "{name}'s answers are sent to the care team. They can still change until the review."
        ),
        (false, Some(name)) => {
            format!("{name}'s answers are saved. The care team sees them only once they are sent.")
        }
    };
    crate::forms::finish(
        result,
        "agenda",
        &form.answers,
        &notice,
        "/preparation",
        "/preparation",
    )
    .await
}
