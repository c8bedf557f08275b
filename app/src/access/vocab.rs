//! The access layer's words: each is an enum whose code is what the database stores and whose
//! label is what a person reads. One table per word, so a form, a check and a stored row can
//! never disagree about what "care_coordinator" or "log_actions" means.

/// Declares a vocabulary: the enum, its stored codes, its labels and the helpers every one
/// needs. A macro rather than a trait so `code` and `label` stay `const` and callers need no
/// import beyond the type.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in the order forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code stored in the database.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// What a person reads.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// `(code, label)` pairs for a form's choices.
            pub fn options() -> Vec<(String, String)> {
                Self::ALL
                    .iter()
                    .map(|v| (v.code().to_owned(), v.label().to_owned()))
                    .collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

/// For the other features' words (a review's status).
pub(crate) use vocabulary;

vocabulary! {
    /// A care-team role in an organisation (`memberships.role`).
    Role {
        Clinician = "clinician", "Clinician";
        CareCoordinator = "care_coordinator", "Care coordinator";
        HealthcareAssistant = "healthcare_assistant", "Healthcare assistant";
        SocialCareWorker = "social_care_worker", "Social care worker";
        OrgAdmin = "org_admin", "Organisation administrator";
    }
}

vocabulary! {
    /// What a carer's grant can allow (`carer_grants.scopes`, space-separated), in the words
    /// the person sees when choosing.
    Scope {
        ReadPlan = "read_plan", "See the plan";
        ReadResults = "read_results", "See results";
        LogActions = "log_actions", "Log what was done";
        AnswerAgenda = "answer_agenda", "Answer the questions before a review";
        ChangePlan = "change_plan", "Change goals and actions";
        Reminders = "reminders", "Get reminders";
    }
}

impl Scope {
    /// The scopes a stored grant holds; codes it does not know are ignored, never widened.
    pub fn parse_all(stored: &str) -> Vec<Scope> {
        stored.split_whitespace().filter_map(Scope::parse).collect()
    }

    /// The stored form of a set of scopes.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

vocabulary! {
    /// Where a carer's grant stands (`carer_grants.status`). A grant past its end date is
    /// still `Active` in the row but no longer live (see the rules).
    GrantStatus {
        Invited = "invited", "Invited, not signed up yet";
        Active = "active", "Active";
        Revoked = "revoked", "Stopped";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_code_reads_back_as_the_same_value_and_codes_are_unique() {
        fn round_trips<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            for v in all {
                assert_eq!(parse(code(*v)), Some(*v));
            }
            let mut codes: Vec<_> = all.iter().map(|v| code(*v)).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), all.len());
        }
        round_trips(Role::ALL, Role::code, Role::parse);
        round_trips(Scope::ALL, Scope::code, Scope::parse);
        round_trips(GrantStatus::ALL, GrantStatus::code, GrantStatus::parse);
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn a_stored_grant_with_an_unknown_scope_gains_nothing_from_it() {
        assert_eq!(
            Scope::parse_all("read_plan  everything log_actions"),
            vec![Scope::ReadPlan, Scope::LogActions]
        );
        assert_eq!(
            Scope::join(&[Scope::ReadPlan, Scope::Reminders]),
            "read_plan reminders"
        );
    }
}
