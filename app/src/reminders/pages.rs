//! The reminders page, and the page a notification opens.
use super::*;

#[component]
pub fn RemindersPage() -> impl IntoView {
    render(load(load_reminders), |v: RemindersView, flash: Flash| {
        let state = FormState::new("choices", &flash);
        let devices = if v.devices.is_empty() {
            view! { <p class="nhsuk-body" id="no-devices">"No devices get reminders yet."</p> }
                .into_any()
        } else {
            view! {
                <ul class="nhsuk-list" id="reminder-devices">
                    {v.devices.iter().map(|d| {
                        let sent = d.last_sent.clone().map(|s| format!(" Last reminder {s}.")).unwrap_or_default();
                        view! {
                            <li class="app-device">
                                <p class="nhsuk-body nhsuk-u-margin-bottom-2"><strong>{d.label.clone()}</strong>{format!(". Added {}.{sent}", d.added)}</p>
                                <form method="post" action={crate::ui::post_to::<crate::reminders::RemoveDevice>()} data-enhance="" class="app-inline-form">
                                    <IdempotencyKey />
                                    <input type="hidden" name="device" value=d.id.to_string() />
                                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">
                                        {format!("Stop reminders on {}", d.label)}
                                    </button>
                                </form>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form method="post" action={crate::ui::post_to::<crate::reminders::SendTest>()} data-enhance="" class="app-inline-form">
                    <IdempotencyKey />
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Send a test reminder"</button>
                </form>
            }
            .into_any()
        };
        let c = v.choices.clone();
        let zones: Vec<(String, String)> = {
            let mut list: Vec<String> = TIME_ZONES.iter().map(|z| (*z).to_owned()).collect();
            if !list.contains(&c.time_zone) {
                list.insert(0, c.time_zone.clone());
            }
            list.into_iter()
                .map(|z| (z.clone(), z.replace('_', " ")))
                .collect()
        };
        let days: Vec<(String, String)> = (1..=7)
            .map(|n| {
                (
                    n.to_string(),
                    if n == 1 {
                        "1 day before".to_owned()
                    } else {
                        format!("{n} days before")
                    },
                )
            })
            .collect();
        let whose = if v.own_plan { "your" } else { "their" };
        let agenda_label = if v.own_plan {
            "How long before your review should we remind you about the questions?"
        } else {
            "How long before their review should we remind you about the questions?"
        };
        let actions_legend = format!("When to remind you about {whose} actions");
        let time_labels = [
            "First time",
            "Second time (optional)",
            "Third time (optional)",
        ];
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Reminders" />
            <p class="nhsuk-body">{if v.own_plan {
                "Alongside can remind you about your review and the things in your plan."
            } else {
                "Alongside can remind you about the reviews and plans of the people you help."
            }}</p>
            <p class="nhsuk-body">"A reminder never says anything about your health. It says \"you have a reminder\". You open Alongside to see what it is about."</p>

            <h2 class="nhsuk-heading-m">"Reminders on this device"</h2>
            // The phone's script takes this away and shows the button instead.
            <p class="nhsuk-body" id="push-needs-script">"To get reminders on this device, turn on JavaScript in your browser. You can still choose what you are reminded about below."</p>
            // Shown by the phone's script: turning reminders on asks the browser for permission,
            // and only when the person taps the button.
            <div id="push-device" hidden data-public-key=v.public_key.clone()>
                <p class="nhsuk-body" data-push-state="">"Reminders are off on this device."</p>
                <button type="button" class="nhsuk-button" data-push-on="">"Turn on reminders on this device"</button>
            </div>

            <h2 class="nhsuk-heading-m">"Devices that get reminders"</h2>
            {devices}

            <h2 class="nhsuk-heading-m">"What to remind you about"</h2>
            {(!v.helping.is_empty()).then(|| view! {
                <div class="nhsuk-inset-text">
                    <p>"You also get reminders for the people you help, as their permission allows:"</p>
                    <ul class="nhsuk-list nhsuk-list--bullet">
                        {v.helping.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view()}
                    </ul>
                </div>
            })}
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::reminders::SaveChoices>()} data-enhance="" id="choices" novalidate>
                <IdempotencyKey />
                <Checkboxes state=state.clone() name="kind" legend="Remind me".into()
                    options=kind_options(v.own_plan) chosen=c.kinds.clone() />
                <Select state=state.clone() name="agenda_days" label=agenda_label
                    options=days value=c.agenda_days.clone() />
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{actions_legend}</legend>
                    <div class="nhsuk-hint">"Use the 24-hour clock, for example 09:00 or 18:30. You get one reminder at each time, whatever is due."</div>
                    {["time_1", "time_2", "time_3"].into_iter().zip(time_labels).enumerate().map(|(i, (name, label))| {
                        let value = c.times.get(i).cloned().unwrap_or_default();
                        view! { <TextField state=state.clone() name=name label=label.into() value=value kind="time" class="nhsuk-input--width-10" /> }
                    }).collect_view()}
                </fieldset>
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Quiet hours"</legend>
                    <div class="nhsuk-hint">"No reminders between these times. A reminder that falls in them waits until they end. Leave both empty for no quiet hours."</div>
                    <TextField state=state.clone() name="quiet_from" label="From".into() value=c.quiet_from.clone() kind="time" class="nhsuk-input--width-10" />
                    <TextField state=state.clone() name="quiet_until" label="Until".into() value=c.quiet_until.clone() kind="time" class="nhsuk-input--width-10" />
                </fieldset>
                <Select state=state.clone() name="time_zone" label="Your time zone"
                    hint="Reminders follow this clock, and the clocks changing." options=zones value=c.time_zone.clone() />
                <button type="submit" class="nhsuk-button">"Save my choices"</button>
            </form>
        }
    })
}

/// Where a notification's tap lands: it checks the reminder is this account's, and for a carer
/// looking at someone else's plan, offers to switch to the person it is about.
#[component]
pub fn OpenReminderPage() -> impl IntoView {
    let id = crate::ui::param_id("id");
    render(
        load(move || async move {
            match id {
                Some(id) => open_reminder(id).await,
                None => Err(AppError::NotFound),
            }
        }),
        |v: OpenView, _flash: Flash| {
            match v.about {
            None => view! { <crate::ui::GoTo path=v.target.clone() heading="Your reminder" link="Open your reminder" /> }.into_any(),
            Some((person, name)) => view! {
                <PageHeading text="Your reminder" />
                <p class="nhsuk-body">{format!("This reminder is about {name}'s plan.")}</p>
                <form method="post" action={crate::ui::post_to::<crate::carers::SwitchPerson>()}>
                    <IdempotencyKey />
                    <input type="hidden" name="patient_id" value=person.to_string() />
                    <input type="hidden" name="next" value=v.target.clone() />
                    <button type="submit" class="nhsuk-button">{format!("Look at {name}'s plan")}</button>
                </form>
            }
            .into_any(),
        }
        },
    )
}
