//! An account's reminder choices: read, checked, shown and saved.
use super::*;

/// What an account wants to be reminded about, when, and when never.
#[derive(Clone, Debug, PartialEq)]
pub struct Preferences {
    pub pack_ready: bool,
    pub agenda_due: bool,
    pub agenda_days: u32,
    pub review_tomorrow: bool,
    pub actions: bool,
    pub action_times: Vec<NaiveTime>,
    pub quiet: Option<Quiet>,
    pub tz: Tz,
}

impl Preferences {
    /// Everything on, actions at 9 in the morning, nothing between 9 at night and 8 in the
    /// morning.
    pub fn defaults(tz: Tz) -> Self {
        Self {
            pack_ready: true,
            agenda_due: true,
            agenda_days: 3,
            review_tomorrow: true,
            actions: true,
            action_times: vec![hm((9, 0))],
            quiet: Some(Quiet {
                from: hm((21, 0)),
                until: hm((8, 0)),
            }),
            tz,
        }
    }

    fn from_row(row: &reminder_preference::Model) -> Self {
        let quiet = match (
            row.quiet_from.as_deref().and_then(parse_time),
            row.quiet_until.as_deref().and_then(parse_time),
        ) {
            (Some(from), Some(until)) => Some(Quiet { from, until }),
            _ => None,
        };
        Self {
            pack_ready: row.pack_ready,
            agenda_due: row.agenda_due,
            agenda_days: u32::try_from(row.agenda_days).unwrap_or(3),
            review_tomorrow: row.review_tomorrow,
            actions: row.actions,
            action_times: row
                .action_times
                .split_whitespace()
                .filter_map(parse_time)
                .collect(),
            quiet,
            tz: crate::clock::zone(&row.time_zone),
        }
    }

    /// Whether this kind of reminder is on (a test reminder always is).
    pub fn wants(&self, kind: &str) -> bool {
        match kind {
            "pack_ready" => self.pack_ready,
            "agenda_due" => self.agenda_due,
            "review_tomorrow" => self.review_tomorrow,
            "actions" => self.actions && !self.action_times.is_empty(),
            _ => true,
        }
    }
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// The choices of several accounts; those who never chose get the defaults, on the clock of
/// their own plan (or London's).
pub async fn preferences_for(
    db: &impl ConnectionTrait,
    accounts: &[Uuid],
) -> Result<HashMap<Uuid, Preferences>, AppError> {
    let mut out: HashMap<Uuid, Preferences> = reminder_preference::Entity::find()
        .filter(reminder_preference::Column::AccountId.is_in(accounts.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|row| (row.account_id, Preferences::from_row(row)))
        .collect();
    let missing: Vec<Uuid> = accounts
        .iter()
        .filter(|a| !out.contains_key(a))
        .copied()
        .collect();
    if !missing.is_empty() {
        let zones: HashMap<Uuid, Tz> = patient::Entity::find()
            .filter(patient::Column::AccountId.is_in(missing.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.account_id?, crate::clock::zone(&p.time_zone))))
            .collect();
        for a in missing {
            let tz = zones.get(&a).copied().unwrap_or(crate::clock::HOME);
            out.insert(a, Preferences::defaults(tz));
        }
    }
    Ok(out)
}

pub async fn preferences_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Preferences, AppError> {
    preferences_for(db, &[account])
        .await?
        .remove(&account)
        .ok_or_else(|| AppError::internal("no reminder preferences"))
}

/// Checks the reminders form: every problem beside its field, nothing kept on a refusal.
pub fn check_choices(form: &ChoicesForm) -> Result<Preferences, AppError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut err = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    let on = |v: &Option<String>| v.as_deref() == Some("on");
    let agenda_days = match form.agenda_days.trim().parse::<u32>() {
        Ok(n) if (1..=7).contains(&n) => n,
        _ => {
            err(
                "agenda_days",
                "Choose how many days before your review, from 1 to 7".into(),
            );
            3
        }
    };
    let mut times: Vec<NaiveTime> = Vec::new();
    let mut bad_time = false;
    for (field, text) in [
        ("time_1", &form.time_1),
        ("time_2", &form.time_2),
        ("time_3", &form.time_3),
    ] {
        if text.trim().is_empty() {
            continue;
        }
        match parse_time(text) {
            None => {
                bad_time = true;
                err(
                    field,
                    "Enter a time on the 24-hour clock, for example 09:00".into(),
                )
            }
            Some(t) if times.contains(&t) => {
                err(field, format!("You have chosen {} already", time_text(t)))
            }
            Some(t) => times.push(t),
        }
    }
    let actions = on(&form.kind_actions);
    if actions && times.is_empty() && !bad_time {
        err(
            "time_1",
            "Enter a time for reminders about your actions, or untick them".into(),
        );
    }
    let quiet_from = form.quiet_from.trim();
    let quiet_until = form.quiet_until.trim();
    let mut quiet = None;
    match (quiet_from.is_empty(), quiet_until.is_empty()) {
        (true, true) => {}
        (false, true) => err("quiet_until", "Enter when your quiet hours end".into()),
        (true, false) => err("quiet_from", "Enter when your quiet hours start".into()),
        (false, false) => match (parse_time(quiet_from), parse_time(quiet_until)) {
            (Some(from), Some(until)) if from == until => err(
                "quiet_until",
                "Quiet hours must end at a different time from when they start".into(),
            ),
            (Some(from), Some(until)) => quiet = Some(Quiet { from, until }),
            (from, until) => {
                if from.is_none() {
                    err(
                        "quiet_from",
                        "Enter a time on the 24-hour clock, for example 21:00".into(),
                    );
                }
                if until.is_none() {
                    err(
                        "quiet_until",
                        "Enter a time on the 24-hour clock, for example 08:00".into(),
                    );
                }
            }
        },
    }
    if let Some(q) = quiet
        && actions
    {
        for (i, t) in times.iter().enumerate() {
            if q.contains(*t) {
                err(
                    &format!("time_{}", i + 1),
                    format!(
                        "{} is in your quiet hours ({} to {}). Choose another time, or change your quiet hours",
                        time_text(*t),
                        time_text(q.from),
                        time_text(q.until)
                    ),
                );
            }
        }
    }
    let tz = match crate::clock::parse_zone(&form.time_zone) {
        Ok(tz) => tz,
        Err(message) => {
            err("time_zone", message.into());
            crate::clock::HOME
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    times.sort();
    Ok(Preferences {
        pack_ready: on(&form.kind_pack_ready),
        agenda_due: on(&form.kind_agenda_due),
        agenda_days,
        review_tomorrow: on(&form.kind_review_tomorrow),
        actions,
        action_times: times,
        quiet,
        tz,
    })
}

fn choices_view(p: &Preferences) -> ChoicesView {
    let mut times: Vec<String> = p.action_times.iter().map(|t| time_text(*t)).collect();
    times.resize(MAX_ACTION_TIMES, String::new());
    ChoicesView {
        kinds: crate::reminders::KINDS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| p.wants(k) || (*k == "actions" && p.actions))
            .map(str::to_owned)
            .collect(),
        agenda_days: p.agenda_days.to_string(),
        times,
        quiet_from: p.quiet.map(|q| time_text(q.from)).unwrap_or_default(),
        quiet_until: p.quiet.map(|q| time_text(q.until)).unwrap_or_default(),
        time_zone: p.tz.name().to_owned(),
    }
}

pub async fn view(state: &AppState, account: Uuid) -> Result<RemindersView, AppError> {
    let prefs = preferences_of(&state.db, account).await?;
    let devices = push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.eq(account))
        .order_by_asc(push_subscription::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let date = |at: DateTime<Utc>| {
        at.with_timezone(&prefs.tz)
            .format("%-d %B %Y at %H:%M")
            .to_string()
    };
    let now = state.clock.now();
    // The people this account is reminded about as a carer: for each kind of reminder, the
    // access layer's list (one query each, never a check per person).
    let actor = Actor::new(account, now);
    let kinds = [
        (Permission::RemindAboutReview, "their review"),
        (Permission::RemindAboutPreparation, "getting ready for it"),
        (Permission::RemindAboutActions, "their actions"),
    ];
    let mut reminded: Vec<(Uuid, &str)> = Vec::new();
    for (action, words) in kinds {
        let visible = access::visible_people(&state.db, actor, action).await?;
        for p in patient::Entity::find()
            .filter(visible)
            .all(&state.db)
            .await?
        {
            // Their own reminders are listed above, not as someone they help.
            if p.account_id != Some(account) {
                reminded.push((p.id, words));
            }
        }
    }
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(reminded.iter().map(|(id, _)| *id)))
        .all(&state.db)
        .await?;
    let mut helping = Vec::new();
    for g in carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(account))
        .filter(carer_grant::Column::Status.eq(crate::access::GrantStatus::Active.code()))
        .filter(carer_grant::Column::PatientId.is_in(people.iter().map(|p| p.id)))
        .all(&state.db)
        .await?
    {
        let Some(p) = people.iter().find(|p| p.id == g.patient_id) else {
            continue;
        };
        let about: Vec<&str> = reminded
            .iter()
            .filter(|(id, _)| *id == p.id)
            .map(|(_, words)| *words)
            .collect();
        helping.push(format!(
            "{} {} ({}): reminders about {}",
            p.given_name,
            p.family_name,
            g.relationship.to_lowercase(),
            crate::plan::schedule::join_words(&about)
        ));
    }
    Ok(RemindersView {
        public_key: state.settings.push_public_key.clone(),
        devices: devices
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                label: d.label,
                added: date(d.created_at),
                last_sent: d.last_sent_at.map(date),
            })
            .collect(),
        choices: choices_view(&prefs),
        helping,
        own_plan: crate::access::own_patient(state, account).await?.is_some(),
    })
}

pub async fn save_choices(
    state: &AppState,
    account: Uuid,
    form: &ChoicesForm,
) -> Result<(), AppError> {
    let p = check_choices(form)?;
    let now = state.clock.now();
    let txn = crate::state::begin_write(&state.db).await?;
    reminder_preference::Entity::insert(reminder_preference::ActiveModel {
        account_id: Set(account),
        pack_ready: Set(p.pack_ready),
        agenda_due: Set(p.agenda_due),
        agenda_days: Set(i32::try_from(p.agenda_days).unwrap_or(3)),
        review_tomorrow: Set(p.review_tomorrow),
        actions: Set(p.actions),
        action_times: Set(p
            .action_times
            .iter()
            .map(|t| time_text(*t))
            .collect::<Vec<_>>()
            .join(" ")),
        quiet_from: Set(p.quiet.map(|q| time_text(q.from))),
        quiet_until: Set(p.quiet.map(|q| time_text(q.until))),
        time_zone: Set(p.tz.name().to_owned()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(reminder_preference::Column::AccountId)
            .update_columns([
                reminder_preference::Column::PackReady,
                reminder_preference::Column::AgendaDue,
                reminder_preference::Column::AgendaDays,
                reminder_preference::Column::ReviewTomorrow,
                reminder_preference::Column::Actions,
                reminder_preference::Column::ActionTimes,
                reminder_preference::Column::QuietFrom,
                reminder_preference::Column::QuietUntil,
                reminder_preference::Column::TimeZone,
                reminder_preference::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    sync_account(&txn, now, account).await?;
    txn.commit().await?;
    state.wake_reminders.notify_one();
    Ok(())
}
