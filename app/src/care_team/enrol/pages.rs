//! Adding a person, and their letter.
use super::*;

#[component]
pub fn NewPatientPage() -> impl IntoView {
    render(
        load(|| async { Ok::<(), AppError>(()) }),
        |_: (), flash: Flash| {
            let state = FormState::new("patient", &flash);
            view! {
                {back_link("/team".into(), "Caseload")}
                <PageHeading text="Add a person" />
                <p class="nhsuk-body">"They get a letter with a one-time link to set up Alongside with a passkey on their phone."</p>
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::care_team::enrol::AddPatient>()} data-enhance="" id="patient" novalidate>
                    <IdempotencyKey />
                    <TextField state=state.clone() name="given" label="First name".into() value=String::new() autocomplete="off" />
                    <TextField state=state.clone() name="family" label="Last name".into() value=String::new() autocomplete="off" />
                    <TextField state=state.clone() name="born" label="Date of birth".into() kind="date" hint="For example 1955-06-01." value=String::new() class="nhsuk-input--width-10" />
                    <TextField state=state.clone() name="nhs_number" label="NHS number".into() hint="10 digits, for example 943 476 5919. We check the last digit." value=String::new() class="nhsuk-input--width-10" />
                    <Checkboxes state=state.clone() name="conditions" legend="Long-term conditions".into()
                        options=crate::forms::options(&crate::plan::CONDITIONS) chosen=Vec::new() />
                    <TextField state=state.clone() name="phone" label="Mobile phone (optional)".into() kind="tel" value=String::new() class="nhsuk-input--width-20" autocomplete="off" />
                    <TextField state=state.clone() name="email" label="Email (optional)".into() kind="email" value=String::new() autocomplete="off" />
                    <button type="submit" class="nhsuk-button">"Add and make their letter"</button>
                </form>
            }
        },
    )
}

#[component]
pub fn LetterPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_letter(id)),
        |v: LetterView, flash: Flash| {
            let body = match v.link.clone() {
            Some((link, svg)) => view! {
                <div class="app-letter">
                    <p class="nhsuk-body">{format!("Dear {},", v.name)}</p>
                    <p class="nhsuk-body">{format!("{} uses Alongside to help you get ready for your reviews, see your results explained and keep your own care plan.", v.practice)}</p>
                    <p class="nhsuk-body">{if v.recovery {
                        "To set up a new passkey, scan this code with your phone's camera, or type the address below. The link works once, for 24 hours."
                    } else {
                        "To set it up, scan this code with your phone's camera, or type the address below. The link works once, for 14 days."
                    }}</p>
                    <div class="app-qr" inner_html=svg role="img" aria-label="QR code of the link below"></div>
                    <p class="nhsuk-body app-link-text">{link}</p>
                    <p class="nhsuk-body">"If you need help, ask at reception."</p>
                </div>
                <p class="nhsuk-body app-no-print">"Use your browser's Print to print this letter: only the letter is printed."</p>
            }
            .into_any(),
            None if v.may_reinvite => view! {
                <p class="nhsuk-body">"For safety, the link is shown only once, when it is made. Make a new one to print a new letter: any older link stops working."</p>
            }
            .into_any(),
            None => view! {
                <p class="nhsuk-body">"For safety, the link is shown only once, when it is made. An administrator, clinician or care coordinator can make a new one."</p>
            }
            .into_any(),
        };
            let state = FormState::new("letter", &flash);
            view! {
                <Notice flash=flash.clone() />
                <div class="app-no-print">{if v.may_open_record {
                    back_link(format!("/team/people/{}", v.patient_id), "Back to their page")
                } else {
                    back_link("/today".to_owned(), "Back to Today")
                }}</div>
                <PageHeading text=format!("Invitation letter for {}", v.name) />
                <ErrorSummary state=state />
                {body}
                {v.may_reinvite.then(|| view! {
                    <form method="post" action={crate::ui::post_to::<crate::care_team::enrol::NewLetter>()} class="app-no-print">
                        <IdempotencyKey />
                        <input type="hidden" name="patient_id" value=v.patient_id.to_string() />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Make a new link and letter"</button>
                    </form>
                })}
            }
        },
    )
}
