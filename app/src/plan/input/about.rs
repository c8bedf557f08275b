//! About me, the contingency plan and its contacts.
use super::*;

// ---------- About me ----------

pub const ABOUT_ME_FIELDS: [(&str, &str, &str); 8] = [
    (
        "what_matters",
        "What matters most to me",
        "What makes a good day, and what you want your care to help with.",
    ),
    (
        "important_people",
        "People who are important to me",
        "Family, friends, pets, anyone who helps you.",
    ),
    (
        "communication",
        "How I communicate and how to talk with me",
        "For example: large print, a hearing loop, no phone calls before 10am.",
    ),
    ("please_do", "Please do", "Things that help you."),
    (
        "please_dont",
        "Please don't",
        "Things that upset you or make things harder.",
    ),
    ("support_how_when", "How and when to support me", ""),
    ("also_worth_knowing", "Also worth knowing about me", ""),
    (
        "supported_by",
        "Who helped me write this",
        "The name of a carer or advocate, if someone helped you.",
    ),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AboutMe {
    pub what_matters: String,
    pub important_people: String,
    pub communication: String,
    pub please_do: String,
    pub please_dont: String,
    pub support_how_when: String,
    pub also_worth_knowing: String,
    pub supported_by: String,
}

impl AboutMe {
    pub fn values(&self) -> [&String; 8] {
        [
            &self.what_matters,
            &self.important_people,
            &self.communication,
            &self.please_do,
            &self.please_dont,
            &self.support_how_when,
            &self.also_worth_knowing,
            &self.supported_by,
        ]
    }

    pub fn parse(raw: &AboutMe) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let values = raw.values();
        let mut out: Vec<String> = Vec::with_capacity(8);
        for ((field, label, _), value) in ABOUT_ME_FIELDS.iter().zip(values) {
            let max = if *field == "supported_by" {
                SHORT_TEXT
            } else {
                LONG_TEXT
            };
            out.push(c.text(field, value, &format!("\"{label}\""), false, max));
        }
        let mut it = out.into_iter();
        let mut next = || it.next().unwrap_or_default();
        c.finish(Self {
            what_matters: next(),
            important_people: next(),
            communication: next(),
            please_do: next(),
            please_dont: next(),
            support_how_when: next(),
            also_worth_knowing: next(),
            supported_by: next(),
        })
    }
}

impl Versioned for AboutMe {
    fn fields(&self) -> Vec<(&'static str, String)> {
        ABOUT_ME_FIELDS
            .iter()
            .zip(self.values())
            .map(|((_, label, _), v)| (*label, v.clone()))
            .collect()
    }
}

// ---------- Contingency ----------

pub const CONTINGENCY_FIELDS: [(&str, &str, &str); 4] = [
    (
        "warning_signs",
        "Early warning signs",
        "How you know things are getting worse.",
    ),
    (
        "what_to_do",
        "What to do",
        "The steps to take if you notice them.",
    ),
    ("coping", "Things that help me cope", ""),
    (
        "anticipatory",
        "Medicines or equipment to keep ready",
        "For example a rescue pack of tablets, or a spacer.",
    ),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contingency {
    pub warning_signs: String,
    pub what_to_do: String,
    pub coping: String,
    pub anticipatory: String,
}

impl Contingency {
    pub fn values(&self) -> [&String; 4] {
        [
            &self.warning_signs,
            &self.what_to_do,
            &self.coping,
            &self.anticipatory,
        ]
    }

    pub fn parse(raw: &Contingency) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let v: Vec<String> = CONTINGENCY_FIELDS
            .iter()
            .zip(raw.values())
            .map(|((field, label, _), value)| {
                c.text(field, value, &format!("\"{label}\""), false, LONG_TEXT)
            })
            .collect();
        let mut it = v.into_iter();
        let mut next = || it.next().unwrap_or_default();
        c.finish(Self {
            warning_signs: next(),
            what_to_do: next(),
            coping: next(),
            anticipatory: next(),
        })
    }
}

impl Versioned for Contingency {
    fn fields(&self) -> Vec<(&'static str, String)> {
        CONTINGENCY_FIELDS
            .iter()
            .zip(self.values())
            .map(|((_, label, _), v)| (*label, v.clone()))
            .collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub phone: String,
}

impl Contact {
    pub fn parse(raw: &Contact) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let name = c.text("name", &raw.name, "their name", true, SHORT_TEXT);
        let role = c.text("role", &raw.role, "who they are", false, SHORT_TEXT);
        let phone = raw.phone.trim().to_owned();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +()-".contains(ch));
        if phone.is_empty() {
            c.fail("phone", "Enter a phone number");
        } else if !allowed || !(3..=15).contains(&digits) {
            c.fail("phone", "Enter a phone number, like 01632 960 001 or 111");
        }
        c.finish(Self { name, role, phone })
    }

    /// The number for a `tel:` link: digits and a leading plus only.
    pub fn tel(&self) -> String {
        self.phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

impl Versioned for Contact {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![(
            "Contact",
            format!("{} ({}) {}", self.name, self.role, self.phone),
        )]
    }
}
